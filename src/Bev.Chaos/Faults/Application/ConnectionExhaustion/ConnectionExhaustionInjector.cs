using System.Globalization;
using System.Text.Json.Nodes;
using Bev.Chaos.Faults.Helpers;
using static Bev.Chaos.Faults.Application.ConnectionExhaustion.ConnectionExhaustionConstants;

namespace Bev.Chaos.Faults.Application.ConnectionExhaustion;

/// <summary>
/// Opens and holds <c>connections</c> TCP connections to the target's port on loopback (optionally
/// trickling a never-finished HTTP request on each), from a helper, so the target's accept queue,
/// worker pool or connection limit runs out. Removal ends the helper, which closes them all.
/// </summary>
internal sealed class ConnectionExhaustionInjector : HelperFaultInjector<ConnectionExhaustionOptions>
{
    public ConnectionExhaustionInjector() => Profiles = LightMediumHeavy(
        new Dictionary<string, object> { [Connections] = 50L },
        new Dictionary<string, object> { [Connections] = 500L },
        new Dictionary<string, object> { [Connections] = 2000L, [Trickle] = true });

    public override string Name => ConnectionExhaustionConstants.Name;

    public override FaultCategory Category => FaultCategory.Application;

    public override string Description => "Opens and holds many TCP connections to the target's port on loopback.";

    public override IReadOnlyDictionary<string, FaultProfile> Profiles { get; }

    protected internal override void Validate(FaultContext context, List<ValidationError> errors)
    {
        if (OptionsOf(context).TcpPort is null && context.Target.Port is null)
        {
            errors.Add(new ValidationError($"parameters.{Port}", null, "a TCP port from 1 to 65535 (the target has no port in the catalog)"));
        }
    }

    protected override string HelperMode => "connections";

    protected override IReadOnlyDictionary<string, string> HelperOptions(FaultContext context) => new Dictionary<string, string>
    {
        ["host"] = "127.0.0.1",
        ["port"] = PortOf(context).ToString(CultureInfo.InvariantCulture),
        ["count"] = OptionsOf(context).Count.ToString(CultureInfo.InvariantCulture),
        ["trickle"] = OptionsOf(context).TrickleRequest ? "true" : "false",
    };

    // The helper says how many connections it holds; none is a failed injection, not a fault without effect.
    protected override ValueTask OnStartedAsync(FaultContext context, HelperProcess helper, JsonObject undo)
    {
        var port = PortOf(context);
        undo["port"] = port;
        var counts = helper.ReadyDetail.Split(' ');
        var made = counts.Length > 0 && int.TryParse(counts[0], CultureInfo.InvariantCulture, out var n) ? n : 0;
        undo["connected"] = made;
        return made == 0
            ? throw new InvalidOperationException($"no connection to 127.0.0.1:{port} could be opened (is the target listening?)")
            : ValueTask.CompletedTask;
    }

    private static int PortOf(FaultContext context) =>
        OptionsOf(context).TcpPort ?? context.Target.Port!.Value;
}
