using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Bev.Chaos.Proxy.Api;

/// <summary>Hosts the Toxiproxy-compatible API on Kestrel (default <c>http://127.0.0.1:8474</c>).</summary>
public sealed class ToxiproxyServer : IAsyncDisposable
{
    /// <summary>The contract's default address: loopback, Toxiproxy's port.</summary>
    public const string DefaultUrl = "http://127.0.0.1:8474";

    private readonly WebApplication _app;

    private ToxiproxyServer(WebApplication app, ProxyCollection proxies)
    {
        _app = app;
        Proxies = proxies;
    }

    public ProxyCollection Proxies { get; }

    /// <summary>The address actually bound (with the port when 0 was asked for).</summary>
    public Uri Url => new(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    /// <summary>Starts the API open (no tokens) with the default limits: it must be bound to loopback.</summary>
    public static Task<ToxiproxyServer> StartAsync(ProxyCollection proxies, string url = DefaultUrl, LogLevel logLevel = LogLevel.Warning, CancellationToken cancellationToken = default) =>
        StartAsync(proxies, new ToxiproxyApiOptions(), url, logLevel, cancellationToken);

    /// <summary>
    /// Starts the API with an access policy and limits. Once bound, the addresses Kestrel actually
    /// listens on are checked, whatever set them (the url, <c>Kestrel__*</c> or <c>ASPNETCORE_URLS</c>):
    /// a non-loopback one without tokens stops the server again.
    /// </summary>
    /// <exception cref="ProxyException">409 when the address cannot be bound; 400 (field <c>listen</c>) when it is beyond loopback without tokens.</exception>
    public static async Task<ToxiproxyServer> StartAsync(ProxyCollection proxies, ToxiproxyApiOptions options, string url = DefaultUrl, LogLevel logLevel = LogLevel.Warning, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(logLevel);

        // A failed start is reported once, by us, in one line.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
        builder.WebHost.UseUrls(url);
        builder.WebHost.UseSockets(o => o.CreateBoundListenSocket = ReusableListenSocket.Create);
        builder.WebHost.ConfigureKestrel(o => o.Limits.MaxRequestBodySize = 1024 * 1024);
        if (!options.Access.TokensConfigured && ListenerGuard.FirstNonLoopback(ListenerGuard.ConfiguredEndpoints(builder.Configuration)) is { } configured)
        {
            throw new ProxyException($"the Toxiproxy API was configured to bind {configured} without tokens: it serves loopback only unless tokens are configured; nothing was bound", 400) { Field = "bound address", Value = configured };
        }

        var app = builder.Build();
        app.UseListenerGuard(options.Access);
        app.MapToxiproxyApi(proxies, options);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new ProxyException($"cannot serve the Toxiproxy API on {url}: {ex.Message}", 409);
        }

        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        if (!options.Access.TokensConfigured && ListenerGuard.FirstNonLoopback(bound) is { } exposed)
        {
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
            throw new ProxyException($"the Toxiproxy API was bound to {exposed} without tokens: it serves loopback only unless tokens are configured; it was stopped at once", 400) { Field = "bound address", Value = exposed };
        }

        return new ToxiproxyServer(app, proxies);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
