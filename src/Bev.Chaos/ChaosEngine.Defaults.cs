using Bev.Chaos.Configuration;
using Bev.Chaos.Persistence;

namespace Bev.Chaos;

/// <summary>
/// The simple way in, for programs that only want the engine as the command line gives it:
/// the configuration and data directory the CLI would use, the catalog started, its services up.
/// </summary>
public sealed partial class ChaosEngine
{
    /// <summary>How long <see cref="OpenAsync(string, string?, CancellationToken)"/> waits for the catalog's <c>health_url</c>s.</summary>
    public static readonly TimeSpan CatalogHealthTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Opens an engine as the <c>bev-chaos</c> command does: the configuration file in
    /// <c>BEV_CHAOS_CONFIG</c> when set (else the built-in defaults, an empty catalog), the default
    /// data directory (<see cref="ChaosStore.DefaultDataDirectory"/>: <c>BEV_CHAOS_DATA_DIR</c>,
    /// <c>$XDG_STATE_HOME/bev-chaos</c> or <c>~/.local/state/bev-chaos</c>), and the catalog
    /// started as by <see cref="OpenAsync(string, string?, CancellationToken)"/>.
    /// </summary>
    /// <exception cref="ChaosValidationException">The configuration file is invalid (file, line, key).</exception>
    /// <exception cref="TimeoutException">A catalog service's <c>health_url</c> did not answer in time (named).</exception>
    public static Task<ChaosEngine> OpenAsync(CancellationToken cancellationToken = default) =>
        Environment.GetEnvironmentVariable("BEV_CHAOS_CONFIG") is { Length: > 0 } file
            ? OpenAsync(file, cancellationToken: cancellationToken)
            : OpenCatalogAsync(new ChaosConfiguration(), null, cancellationToken);

    /// <summary>
    /// Opens an engine over a <c>chaos_engineer.yaml</c> (a relative path is taken from the
    /// current directory) and <paramref name="dataDirectory"/> (null: the default one, as
    /// <see cref="OpenAsync(CancellationToken)"/> takes it), then starts its catalog — the
    /// supervised services (<c>command:</c>) and the fault proxies (<c>proxy:</c>), as
    /// <c>bev-chaos serve</c> does — and waits up to <see cref="CatalogHealthTimeout"/> until
    /// every catalog service with a <c>health_url</c> answers it with a success status.
    /// For another data directory, a logger or a fake clock use
    /// <see cref="OpenAsync(ChaosConfiguration, string, Microsoft.Extensions.Logging.ILoggerFactory?, TimeProvider?, CancellationToken)"/>.
    /// </summary>
    /// <exception cref="ChaosValidationException">The file is missing or invalid (file, line, key).</exception>
    /// <exception cref="TimeoutException">A catalog service's <c>health_url</c> did not answer in time (named).</exception>
    public static Task<ChaosEngine> OpenAsync(string configurationFile, string? dataDirectory = null, CancellationToken cancellationToken = default) =>
        OpenCatalogAsync(ChaosConfigurationLoader.LoadFile(configurationFile), dataDirectory, cancellationToken);

    private static async Task<ChaosEngine> OpenCatalogAsync(ChaosConfiguration configuration, string? dataDirectory, CancellationToken cancellationToken)
    {
        var engine = await OpenAsync(configuration, dataDirectory ?? ChaosStore.DefaultDataDirectory(), cancellationToken: cancellationToken).ConfigureAwait(false);
        try
        {
            engine.StartCatalog();
            await WaitForCatalogHealthAsync(configuration, CatalogHealthTimeout, TimeProvider.System, cancellationToken).ConfigureAwait(false);
            return engine;
        }
        catch
        {
            await engine.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Waits up to <see cref="CatalogHealthTimeout"/> until every supervised catalog service (one
    /// with a <c>command</c>, which <see cref="StartCatalog"/> starts) with a <c>health_url</c>
    /// answers it with a success status: a baseline right after the start would otherwise see a
    /// service still starting as a deviation. Services the engine does not start are not waited for.
    /// </summary>
    /// <exception cref="TimeoutException">One did not answer in time (named, with its last answer).</exception>
    public Task WaitForSupervisedTargetsHealthyAsync(CancellationToken cancellationToken = default) =>
        WaitForCatalogHealthAsync(Configuration, CatalogHealthTimeout, TimeProvider.System, cancellationToken, supervisedOnly: true);

    // A program's first fault or baseline comes right after opening: a service still starting
    // would look like a deviation, so the simple way in waits for the catalog to be healthy.
    private static async Task WaitForCatalogHealthAsync(ChaosConfiguration configuration, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken, bool supervisedOnly = false)
    {
        var pending = configuration.Targets.Values.Where(t => t.HealthUrl is not null && (!supervisedOnly || t.Command is { Count: > 0 })).ToDictionary(t => t.Name, t => t.HealthUrl!);
        if (pending.Count == 0)
        {
            return;
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = time.GetUtcNow() + timeout;
        var why = new Dictionary<string, string>();
        while (true)
        {
            foreach (var (name, url) in pending.ToList())
            {
                try
                {
                    using var response = await http.GetAsync(url, cancellationToken).ConfigureAwait(false);
                    if (response.IsSuccessStatusCode)
                    {
                        pending.Remove(name);
                    }
                    else
                    {
                        why[name] = $"{url} answered {(int)response.StatusCode}";
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    why[name] = $"{url}: {ex.Message}";
                }
            }

            if (pending.Count == 0)
            {
                return;
            }

            if (time.GetUtcNow() >= deadline)
            {
                throw new TimeoutException($"catalog services not healthy after {timeout.TotalSeconds:0} s: " + string.Join("; ", pending.Keys.Order(StringComparer.Ordinal).Select(n => $"{n} ({why.GetValueOrDefault(n, "no answer")})")));
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), time, cancellationToken).ConfigureAwait(false);
        }
    }
}
