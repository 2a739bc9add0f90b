using Bev.Chaos.Probes;
using Bev.Chaos.Load;

namespace Bev.Chaos.Experiments;

/// <summary>
/// An experiment's <see cref="ExperimentConfig.Loads"/> during its injection phase, sent by the
/// <see cref="LoadGenerator"/> (open loop, constant rate, bounded by rate × duration). Each finished
/// request becomes a probe result named <c>load URL</c>, so the safety monitor's error rate and
/// response time see the load.
/// </summary>
internal sealed class ExperimentLoad(ExperimentState state, HttpMessageHandler? handler, TimeProvider time)
{
    /// <summary>In flight at most per load; the rest wait and are timed from when they were due.</summary>
    public const int Connections = 64;

    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Runs every load; ends when they end or <paramref name="stop"/> is cancelled.</summary>
    public Task RunAsync(CancellationToken stop) => Task.WhenAll(state.Run.Config.Loads.Select(l => RunOneAsync(l, stop)));

    private async Task RunOneAsync(LoadSpec load, CancellationToken stop)
    {
        await Task.Delay(load.Offset, time, stop).ConfigureAwait(false);
        // The validator refused a load without a URL before the experiment started.
        var url = load.Url ?? throw new InvalidOperationException($"load on '{load.Target}' has no URL");
        var name = "load " + url;
        using var generator = new LoadGenerator(handler, RequestTimeout);
        await generator.RunAsync(url, load.Rate, load.Duration, Connections, CancellationToken.None, sample =>
        {
            var latency = TimeSpan.FromMilliseconds(sample.LatencyMs);
            state.AddProbes([new ProbeResult(name, time.GetUtcNow() - latency, !sample.Failed, latency, sample.Failed ? "failed (5xx, transport error or timeout)" : "answered")]);
        }, stop).ConfigureAwait(false);
    }
}
