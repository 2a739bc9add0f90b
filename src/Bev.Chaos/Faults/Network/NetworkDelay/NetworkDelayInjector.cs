using Bev.Chaos.Faults.Network.Kernel;
using Bev.Chaos.Faults.Network.Proxy;
using Bev.Chaos.Proxy;
using static Bev.Chaos.Faults.Network.NetworkDelay.NetworkDelayConstants;

namespace Bev.Chaos.Faults.Network.NetworkDelay;

/// <summary><c>network_delay</c>: latency (± jitter) — the proxy's latency toxic, or netem in the kernel.</summary>
internal sealed class NetworkDelayInjector : NetworkFaultInjector<NetworkDelayOptions>
{
    public NetworkDelayInjector(ProxyCollection proxies)
        : base(
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
        var options = OptionsOf(context);
        var (correlation, distribution) = (options.Correlation, options.JitterDistribution);
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
        else if (options.JitterMilliseconds == 0)
        {
            errors.Add(new ValidationError($"parameters.{shaped}", value, "a jitter to shape: set jitter_ms above 0"));
        }
    }

    private static ToxicDefinition ToxicFor(FaultContext context, ToxicStream stream) =>
        ProxyToxicMechanism.Toxic(context, "latency", stream, ("latency", OptionsOf(context).DelayMilliseconds), ("jitter", OptionsOf(context).JitterMilliseconds));

    private static (string, IReadOnlyList<string>) QdiscFor(FaultContext context)
    {
        var options = OptionsOf(context);
        List<string> words = ["delay", $"{options.DelayMilliseconds}ms", $"{options.JitterMilliseconds}ms"];
        if (options.Correlation is > 0 and var correlation)
        {
            words.Add(correlation.ToString(System.Globalization.CultureInfo.InvariantCulture) + "%");
        }

        if (options.JitterDistribution is not Uniform and var distribution)
        {
            words.AddRange(["distribution", distribution]);
        }

        return ("netem", words);
    }
}
