using Bev.Chaos.Faults.Network.Kernel;
using Bev.Chaos.Faults.Network.Proxy;
using Bev.Chaos.Proxy;
using static Bev.Chaos.Faults.Network.NetworkDelay.NetworkDelayConstants;

namespace Bev.Chaos.Faults.Network.NetworkDelay;

/// <summary><c>network_delay</c>: latency (± jitter) — the proxy's latency toxic, or netem in the kernel.</summary>
internal sealed class NetworkDelayInjector : NetworkFaultInjector
{
    public NetworkDelayInjector(ProxyCollection proxies)
        : base(
            [
                FaultParameter.Integer(DelayMs, "Added latency in milliseconds.", DefaultDelayMs, MinMs, MaxMs, DelayCap),
                FaultParameter.Integer(JitterMs, "Random variation, ± milliseconds.", DefaultJitterMs, MinMs, MaxMs),
                FaultParameter.Number(CorrelationPercent, "Kernel only: how much each packet's jitter follows the previous one's, in percent (needs jitter_ms).", 0, 0, 100),
                FaultParameter.Text(Distribution, "Kernel only: how the jitter is drawn (netem's tables; needs jitter_ms).", Uniform, Uniform, "normal", "pareto", "paretonormal"),
            ],
            new ProxyToxicMechanism(proxies, ToxicFor),
            new TrafficControlMechanism(QdiscFor)) =>
        Profiles = LightMediumHeavy(
            new Dictionary<string, object> { [DelayMs] = 100L, [JitterMs] = 20L },
            new Dictionary<string, object> { [DelayMs] = 500L, [JitterMs] = 100L },
            new Dictionary<string, object> { [DelayMs] = 2000L, [JitterMs] = 500L });

    public override string Name => NetworkDelayConstants.Name;

    public override string Description => "Adds latency (± jitter) to the target's traffic: the proxy's latency toxic, or tc netem in the kernel.";

    public override IReadOnlyDictionary<string, FaultProfile> Profiles { get; }

    protected internal override void Validate(FaultContext context, List<ValidationError> errors)
    {
        base.Validate(context, errors);
        var correlation = context.Parameters.GetNumber(CorrelationPercent);
        var distribution = context.Parameters.GetString(Distribution);
        if (correlation == 0 && distribution == Uniform)
        {
            return;
        }

        // The proxy's latency toxic draws its jitter uniformly and independently: it cannot honour either.
        var shaped = correlation != 0 ? CorrelationPercent : Distribution;
        var value = correlation != 0 ? correlation.ToString(System.Globalization.CultureInfo.InvariantCulture) : distribution;
        if (ChosenMechanism(context) != NetworkParameters.KernelMechanism)
        {
            errors.Add(new ValidationError($"parameters.{shaped}", value, $"the default ({(correlation != 0 ? "0" : Uniform)}) with the {ChosenMechanism(context)} mechanism: only the kernel's netem correlates or shapes jitter — add mechanism: kernel"));
        }
        else if (context.Parameters.GetInteger(JitterMs) == 0)
        {
            errors.Add(new ValidationError($"parameters.{shaped}", value, "a jitter to shape: set jitter_ms above 0"));
        }
    }

    private static ToxicDefinition ToxicFor(FaultContext context, ToxicStream stream) =>
        ProxyToxicMechanism.Toxic(context, "latency", stream, ("latency", context.Parameters.GetInteger(DelayMs)), ("jitter", context.Parameters.GetInteger(JitterMs)));

    private static (string, IReadOnlyList<string>) QdiscFor(FaultContext context)
    {
        List<string> words = ["delay", $"{context.Parameters.GetInteger(DelayMs)}ms", $"{context.Parameters.GetInteger(JitterMs)}ms"];
        if (context.Parameters.GetNumber(CorrelationPercent) is > 0 and var correlation)
        {
            words.Add(correlation.ToString(System.Globalization.CultureInfo.InvariantCulture) + "%");
        }

        if (context.Parameters.GetString(Distribution) is not Uniform and var distribution)
        {
            words.AddRange(["distribution", distribution]);
        }

        return ("netem", words);
    }
}
