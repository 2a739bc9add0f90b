using Docker.DotNet;
using Docker.DotNet.Models;

namespace Bev.Chaos.Targets.Docker;

/// <summary>
/// The Docker Engine API (Docker.DotNet) at <c>DOCKER_HOST</c>, the configured host, or
/// <c>unix:///var/run/docker.sock</c>. Connects on first use; every failure to reach the daemon is
/// a <see cref="FeatureUnavailableException"/> that names the address.
/// </summary>
public sealed class DockerEngine(Uri host) : IDisposable
{
    private readonly Lazy<DockerClient> _client = new(() => new DockerClientConfiguration(host, defaultTimeout: TimeSpan.FromSeconds(30)).CreateClient());

    /// <summary>The daemon's address (<c>unix:///var/run/docker.sock</c>, <c>tcp://HOST:PORT</c>).</summary>
    public Uri Host => host;

    /// <summary>The daemon from <paramref name="configured"/>, else <c>DOCKER_HOST</c>, else the default socket.</summary>
    public static DockerEngine FromEnvironment(string? configured = null) =>
        new(new Uri(configured ?? (Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } env ? env : "unix:///var/run/docker.sock")));

    /// <summary>
    /// Containers matching <paramref name="selector"/>: a name, an id (or its prefix), or
    /// <c>label:KEY=VALUE</c>. Running ones first, by name.
    /// </summary>
    public async Task<IReadOnlyList<DockerContainer>> FindAsync(string selector, CancellationToken cancellationToken)
    {
        var filters = new Dictionary<string, IDictionary<string, bool>>();
        if (selector.StartsWith("label:", StringComparison.Ordinal))
        {
            filters["label"] = new Dictionary<string, bool> { [selector[6..]] = true };
        }

        var listed = await CallAsync(c => c.Containers.ListContainersAsync(new ContainersListParameters { All = true, Filters = filters }, cancellationToken)).ConfigureAwait(false);
        var matching = selector.StartsWith("label:", StringComparison.Ordinal)
            ? listed
            : listed.Where(c => c.Names.Any(n => n.TrimStart('/') == selector) || c.ID.StartsWith(selector, StringComparison.Ordinal)).ToList();
        var containers = new List<DockerContainer>();
        foreach (var listedContainer in matching)
        {
            if (await InspectAsync(listedContainer.ID, cancellationToken).ConfigureAwait(false) is { } container)
            {
                containers.Add(container);
            }
        }

        return containers.OrderByDescending(c => c.Running).ThenBy(c => c.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>A container's current state; null when it no longer exists.</summary>
    public async Task<DockerContainer?> InspectAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            var inspect = await CallAsync(c => c.Containers.InspectContainerAsync(id, cancellationToken)).ConfigureAwait(false);
            return new DockerContainer(inspect.ID, inspect.Name.TrimStart('/'), (int)inspect.State.Pid, inspect.State.Running, inspect.State.Paused,
                inspect.GraphDriver?.Data is { } data && data.TryGetValue("UpperDir", out var upper) ? upper : null);
        }
        catch (DockerContainerNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Freezes every process of the container (<c>docker pause</c>).</summary>
    public Task PauseAsync(string id, CancellationToken cancellationToken) => CallAsync(c => c.Containers.PauseContainerAsync(id, cancellationToken));

    /// <summary>Thaws a paused container (<c>docker unpause</c>).</summary>
    public Task UnpauseAsync(string id, CancellationToken cancellationToken) => CallAsync(c => c.Containers.UnpauseContainerAsync(id, cancellationToken));

    // The client leaves a zero grace out of the request, so the daemon would wait its default 10 s:
    // no grace is a SIGKILL, as `docker stop -t 0` is — and, like stop, returns once it has exited.
    /// <summary>
    /// Stops the container: its stop signal, then SIGKILL after <paramref name="grace"/> (rounded up to whole seconds; SIGKILL at once
    /// when zero). Returns once it has exited.
    /// </summary>
    public async Task StopAsync(string id, TimeSpan grace, CancellationToken cancellationToken)
    {
        if (grace > TimeSpan.Zero)
        {
            await CallAsync(c => c.Containers.StopContainerAsync(id, new ContainerStopParameters { WaitBeforeKillSeconds = (uint)Math.Ceiling(grace.TotalSeconds) }, cancellationToken)).ConfigureAwait(false);
            return;
        }

        await CallAsync(c => c.Containers.KillContainerAsync(id, new ContainerKillParameters { Signal = "KILL" }, cancellationToken)).ConfigureAwait(false);
        await CallAsync(c => c.Containers.WaitContainerAsync(id, cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>Starts a stopped container (<c>docker start</c>).</summary>
    public Task StartAsync(string id, CancellationToken cancellationToken) =>
        CallAsync(c => c.Containers.StartContainerAsync(id, new ContainerStartParameters(), cancellationToken));

    /// <summary>Stops the container as <see cref="StopAsync"/> does with <paramref name="grace"/>, then starts it.</summary>
    public async Task RestartAsync(string id, TimeSpan grace, CancellationToken cancellationToken)
    {
        if (grace > TimeSpan.Zero)
        {
            await CallAsync(c => c.Containers.RestartContainerAsync(id, new ContainerRestartParameters { WaitBeforeKillSeconds = (uint)Math.Ceiling(grace.TotalSeconds) }, cancellationToken)).ConfigureAwait(false);
            return;
        }

        await StopAsync(id, grace, cancellationToken).ConfigureAwait(false);
        await StartAsync(id, cancellationToken).ConfigureAwait(false);
    }

    private async Task<T> CallAsync<T>(Func<DockerClient, Task<T>> call)
    {
        try
        {
            return await call(_client.Value).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or System.Net.Sockets.SocketException or TimeoutException || (ex is DockerApiException api && (int)api.StatusCode >= 500 && ex is not DockerContainerNotFoundException))
        {
            throw new FeatureUnavailableException($"the Docker daemon at {host} cannot be used: {ex.Message}");
        }
    }

    private async Task CallAsync(Func<DockerClient, Task> call) =>
        await CallAsync(async c =>
        {
            await call(c).ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);

    /// <summary>Closes the connection to the daemon, if one was made.</summary>
    public void Dispose()
    {
        if (_client.IsValueCreated)
        {
            _client.Value.Dispose();
        }
    }
}
