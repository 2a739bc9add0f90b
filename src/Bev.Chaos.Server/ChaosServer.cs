using Bev.Chaos.Proxy.Api;
using Bev.Chaos.Scenarios;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Bev.Chaos.Server;

/// <summary>Hosts the chaos API on Kestrel (default <c>http://127.0.0.1:8080</c>) over a <see cref="ChaosEngine"/>.</summary>
public sealed class ChaosServer : IAsyncDisposable
{
    /// <summary>The contract's default address: loopback.</summary>
    public const string DefaultUrl = "http://127.0.0.1:8080";

    private readonly WebApplication _app;

    private ChaosServer(WebApplication app) => _app = app;

    /// <summary>The address actually bound.</summary>
    public Uri Url => new(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    public static async Task<ChaosServer> StartAsync(ChaosEngine engine, ScenarioLibrary library, string url = DefaultUrl, LogLevel logLevel = LogLevel.Warning, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(logLevel);
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
        builder.WebHost.UseUrls(url);
        builder.WebHost.UseSockets(o => o.CreateBoundListenSocket = ReusableListenSocket.Create);

        // Huge bodies are refused before they are read.
        builder.WebHost.ConfigureKestrel(o => o.Limits.MaxRequestBodySize = 256 * 1024);
        var app = builder.Build();
        app.MapChaosApi(engine, library);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"cannot serve the chaos API on {url}: {ex.Message}", ex);
        }

        return new ChaosServer(app);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
