using System.Text.Json.Nodes;
using Bev.Chaos.Proxy;

namespace Bev.Chaos.Faults.Network.Proxy;

/// <summary>
/// The base of the HTTP faults: one HTTP toxic of the fault proxy on a target's proxied
/// dependencies declared <c>protocol: http</c>, its attributes the fault's parameters of the same
/// names (JSON for <c>headers</c> and <c>json_patch</c>; the request matchers <c>method</c>, <c>path</c>, <c>header_name</c>, <c>header_value</c>,
/// then the fault type's own). <c>toxicity</c> is the share of matching requests affected.
/// </summary>
internal abstract class HttpToxicFaultInjector : NetworkFaultInjector
{
    private readonly string _toxicType;
    private readonly IReadOnlyList<FaultParameter> _attributes;

    protected HttpToxicFaultInjector(ProxyCollection proxies, string toxicType, IReadOnlyList<FaultParameter> own)
        : this(proxies, toxicType, [.. Matchers, .. own, Seed])
    {
    }

    private HttpToxicFaultInjector(ProxyCollection proxies, string toxicType, FaultParameter[] attributes)
        : base(attributes, new ProxyToxicMechanism(proxies, (context, stream) => Toxic(toxicType, attributes, context, stream)))
    {
        _toxicType = toxicType;
        _attributes = attributes;
    }

    /// <summary>Parameters that hold JSON (an object in a request body, its text in k=v form): the toxic takes them as JSON.</summary>
    protected static readonly IReadOnlySet<string> JsonParameters = new HashSet<string>(StringComparer.Ordinal) { "headers", "json_patch" };

    public override FaultCategory Category => FaultCategory.Network;

    private static FaultParameter[] Matchers =>
    [
        FaultParameter.Text("method", "Only requests with this method (GET, POST, …); default: every method.", null) with { Optional = true },
        FaultParameter.Text("path", "Only requests whose path matches this glob (/api/*; * spans /); default: every path.", null) with { Optional = true },
        FaultParameter.Text("header_name", "Only requests carrying this header.", null) with { Optional = true },
        FaultParameter.Text("header_value", "With header_name: a regular expression its value must match.", null) with { Optional = true },
    ];

    private static FaultParameter Seed =>
        FaultParameter.Integer("seed", "The toxic's random seed, so a run can be replayed (default: drawn and reported in the proxy's toxic).", null, 0, int.MaxValue) with { Optional = true };

    protected internal override void Validate(FaultContext context, List<ValidationError> errors)
    {
        base.Validate(context, errors);
        if (errors.Count > 0 || context.Target.Definition is not { } definition)
        {
            return;
        }

        var dependency = context.Parameters.GetStringOrNull(NetworkParameters.Dependency);
        foreach (var (name, route) in definition.Proxies.Where(p => dependency is null || p.Key == dependency))
        {
            if (route.Protocol != "http")
            {
                errors.Add(new ValidationError($"targets.{definition.Name}.proxy.{name}.protocol", route.Protocol, $"http ({Name} acts on HTTP requests: declare the dependency's proxy with protocol: http{(dependency is null ? ", or name an HTTP one with parameters.dependency" : string.Empty)})"));
            }
        }

        try
        {
            _ = Toxic(_toxicType, _attributes, context, ToxicStream.Downstream);
        }
        catch (ProxyException ex)
        {
            var field = ex.Field is { } f && f.StartsWith("attributes.", StringComparison.Ordinal) ? "parameters." + f["attributes.".Length..] : $"parameters ({ex.Field})";
            errors.Add(new ValidationError(field, null, ex.Message.Replace("attributes.", "parameters.", StringComparison.Ordinal)));
        }
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
                _ => JsonValue.Create(context.Parameters.GetString(parameter.Name)),
            };
        }

        return ToxicTypes.DefineFromJson("pending", type, stream == ToxicStream.Upstream ? "upstream" : "downstream", context.Parameters.GetNumber(NetworkParameters.Toxicity), values);
    }
}
