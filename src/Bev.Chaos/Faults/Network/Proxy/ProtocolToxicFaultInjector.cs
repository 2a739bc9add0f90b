using System.Text.Json.Nodes;
using Bev.Chaos.Proxy;

namespace Bev.Chaos.Faults.Network.Proxy;

/// <summary>
/// The base of the protocol faults (<c>http_*</c>, <c>redis_*</c>, <c>postgres_*</c>): one protocol
/// toxic of the fault proxy on a target's proxied dependencies whose catalog entry declares that
/// protocol, its attributes the fault's parameters of the same names — JSON for <c>headers</c> and
/// <c>json_patch</c>, a comma-separated list for <c>commands</c>. <c>toxicity</c> is the share of
/// matching requests (commands, queries) affected.
/// </summary>
/// <typeparam name="TOptions">The fault type's options record: the protocol's matchers (its base record) and its own.</typeparam>
internal abstract class ProtocolToxicFaultInjector<TOptions> : NetworkFaultInjector<TOptions>
    where TOptions : class, new()
{
    private static readonly IReadOnlySet<string> JsonParameters = new HashSet<string>(StringComparer.Ordinal) { "headers", "json_patch" };
    private static readonly IReadOnlySet<string> ListParameters = new HashSet<string>(StringComparer.Ordinal) { "commands" };

    // The toxic's attributes: every option of the record, and the seed (read on first use, so a
    // wrong record fails at registration, naming it).
    private static readonly Lazy<IReadOnlyList<FaultParameter>> LazyAttributes = new(() => [.. Options.FaultOptionsSchema<TOptions>.Parameters, Seed]);

    private readonly ProxyProtocol _protocol;
    private readonly string _toxicType;

    /// <param name="proxies">Where the catalog's proxies run.</param>
    /// <param name="protocol">What the dependency's proxy must speak.</param>
    /// <param name="toxicType">The toxic the fault adds.</param>
    protected ProtocolToxicFaultInjector(ProxyCollection proxies, ProxyProtocol protocol, string toxicType)
        : base([Seed], new ProxyToxicMechanism(proxies, (context, stream) => Toxic(toxicType, LazyAttributes.Value, context, stream)))
    {
        _protocol = protocol;
        _toxicType = toxicType;
    }

    public override FaultCategory Category => FaultCategory.Network;

    private static FaultParameter Seed =>
        FaultParameter.Integer("seed", "The toxic's random seed, so a run can be replayed (default: drawn and reported in the proxy's toxic).", null, 0, int.MaxValue) with { Optional = true };

    protected internal override void Validate(FaultContext context, List<ValidationError> errors)
    {
        base.Validate(context, errors);
        if (errors.Count > 0 || context.Target.Definition is not { } definition)
        {
            return;
        }

        var wanted = _protocol.Name();
        var dependency = context.Parameters.GetStringOrNull(NetworkParameters.Dependency);
        foreach (var (name, route) in definition.Proxies.Where(p => dependency is null || p.Key == dependency))
        {
            if (route.Protocol != wanted)
            {
                errors.Add(new ValidationError($"targets.{definition.Name}.proxy.{name}.protocol", route.Protocol, $"{wanted} ({Name} acts on {Speaking()}: declare the dependency's proxy with protocol: {wanted}{(dependency is null ? ", or name such a dependency with parameters.dependency" : string.Empty)})"));
            }
        }

        try
        {
            _ = Toxic(_toxicType, LazyAttributes.Value, context, ToxicStream.Downstream);
        }
        catch (ProxyException ex)
        {
            var field = ex.Field is { } f && f.StartsWith("attributes.", StringComparison.Ordinal) ? "parameters." + f["attributes.".Length..] : $"parameters ({ex.Field})";
            errors.Add(new ValidationError(field, null, ex.Message.Replace("attributes.", "parameters.", StringComparison.Ordinal)));
        }
    }

    private string Speaking() => _protocol switch
    {
        ProxyProtocol.Http => "HTTP requests",
        ProxyProtocol.Redis => "Redis commands",
        _ => "PostgreSQL queries",
    };

    /// <summary>The toxic: every parameter given (or defaulted) becomes the attribute of the same name.</summary>
    private static ToxicDefinition Toxic(string type, IReadOnlyList<FaultParameter> attributes, FaultContext context, ToxicStream stream)
    {
        var values = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var parameter in attributes.Where(p => context.Parameters.Has(p.Name)))
        {
            values[parameter.Name] = parameter.Type switch
            {
                FaultParameterType.Integer => JsonValue.Create(context.Parameters.GetInteger(parameter.Name)),
                FaultParameterType.Boolean => JsonValue.Create(context.Parameters.GetBoolean(parameter.Name)),
                FaultParameterType.Number => JsonValue.Create(context.Parameters.GetNumber(parameter.Name)),
                _ when JsonParameters.Contains(parameter.Name) => Json(parameter.Name, context.Parameters.GetString(parameter.Name)),
                _ when ListParameters.Contains(parameter.Name) => new JsonArray([.. context.Parameters.GetString(parameter.Name).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(item => (JsonNode?)JsonValue.Create(item))]),
                _ => JsonValue.Create(context.Parameters.GetString(parameter.Name)),
            };
        }

        return ToxicTypes.DefineFromJson("pending", type, stream == ToxicStream.Upstream ? "upstream" : "downstream", context.Parameters.GetNumber(NetworkParameters.Toxicity), values);
    }

    private static JsonNode? Json(string name, string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (System.Text.Json.JsonException)
        {
            throw ProxyException.BadField($"attributes.{name}", $"attributes.{name}: '{text}' is not JSON (allowed: a JSON object, e.g. {{\"Retry-After\": \"5\"}})");
        }
    }
}
