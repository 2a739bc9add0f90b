using Bev.Chaos.Proxy.Api;
using Bev.Chaos.Scenarios;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Bev.Chaos.Server;

/// <summary>Hosts the chaos API on Kestrel (default <c>http://127.0.0.1:8080</c>) over a <see cref="ChaosEngine"/>.</summary>
public sealed class ChaosServer : IAsyncDisposable
{
    /// <summary>The contract's default address: loopback.</summary>
    public const string DefaultUrl = "http://127.0.0.1:8080";

    private readonly WebApplication _app;
    private readonly ChaosMetrics _metrics;

    private ChaosServer(WebApplication app, ChaosMetrics metrics)
    {
        _app = app;
        _metrics = metrics;
    }

    /// <summary>The address actually bound.</summary>
    public Uri Url => new(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    /// <summary>Starts the API with the default <see cref="ChaosServerOptions"/>.</summary>
    public static Task<ChaosServer> StartAsync(ChaosEngine engine, ScenarioLibrary library, string url = DefaultUrl, LogLevel logLevel = LogLevel.Warning, CancellationToken cancellationToken = default) =>
        StartAsync(engine, library, new ChaosServerOptions(), url, logLevel, cancellationToken);

    /// <summary>
    /// Starts the API. Kestrel's configured endpoints (<c>Kestrel__*</c>) are checked before anything
    /// binds, and once bound the addresses Kestrel actually listens on, whatever set them (the url,
    /// a configuration, <c>Kestrel__*</c> or <c>ASPNETCORE_URLS</c>): a non-loopback one without
    /// <c>auth.tokens</c> is refused, or stops the server again.
    /// </summary>
    /// <exception cref="ChaosValidationException">Bound beyond loopback without tokens (field <c>bound address</c>).</exception>
    /// <exception cref="InvalidOperationException">The address cannot be bound.</exception>
    public static async Task<ChaosServer> StartAsync(ChaosEngine engine, ScenarioLibrary library, ChaosServerOptions options, string url = DefaultUrl, LogLevel logLevel = LogLevel.Warning, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder();

        // Kestrel's and ASP.NET's logs go where the engine's go (JSON console, the rolling file).
        builder.Logging.ClearProviders().AddProvider(new EngineLoggerProvider(engine.Loggers));
        builder.Logging.SetMinimumLevel(logLevel);
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
        builder.WebHost.UseUrls(url);
        builder.WebHost.UseSockets(o => o.CreateBoundListenSocket = ReusableListenSocket.Create);

        // Huge bodies are refused before they are read.
        builder.WebHost.ConfigureKestrel(o => o.Limits.MaxRequestBodySize = 256 * 1024);
        builder.Services.AddOpenApi(o =>
        {
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new() { Title = "BEV Chaos API", Version = "v1", Description = "Inject real faults, run experiments, stop everything at once." };
                return Task.CompletedTask;
            });
            o.AddOperationTransformer(OpenApiRequestBodies.TransformAsync);
        });
        if (engine.Configuration.ApiTokens.Count == 0 && ListenerGuard.FirstNonLoopback(ListenerGuard.ConfiguredEndpoints(builder.Configuration)) is { } configured)
        {
            throw new ChaosValidationException("bound address", configured,
                "a loopback address, unless auth.tokens are configured (whatever set it: --urls, --listen, a configuration file, Kestrel__* or ASPNETCORE_URLS); nothing was bound");
        }

        var app = builder.Build();
        var metrics = new ChaosMetrics(engine);
        var requestDuration = Prometheus.Metrics.WithCustomRegistry(metrics.Registry).CreateHistogram("bev_chaos_api_request_duration_seconds", "Chaos API request durations.", new Prometheus.HistogramConfiguration { LabelNames = ["method", "status"], Buckets = Prometheus.Histogram.ExponentialBuckets(0.0001, 2, 16) });
        var warmUp = new StartupWarmUp();
        app.Use(async (context, next) =>
        {
            if (warmUp.IsWarmUp(context))
            {
                await next(context);
                return;
            }

            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            await next(context);
            requestDuration.WithLabels(context.Request.Method, context.Response.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture)).Observe(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
        });

        // Every 400 carries the documented body, also the ones ASP.NET answers by itself (a bad route value).
        app.Use(async (context, next) =>
        {
            await next(context);
            if (context.Response.StatusCode == StatusCodes.Status400BadRequest && !context.Response.HasStarted)
            {
                await ApiError.Status(StatusCodes.Status400BadRequest, $"{context.Request.Method} {context.Request.Path}: the request could not be read", "(request)", "a request as docs/api.md describes it").ExecuteAsync(context);
            }
        });
        app.UseWebSockets();
        ApiAccess.Use(app, engine, TimeProvider.System);
        var openApi = new OpenApiDocumentCache();
        app.Use(openApi.InvokeAsync);
        app.MapChaosApi(engine, library, options);
        app.MapOpenApi(OpenApiDocumentCache.Path);
        DashboardFiles.Map(app);
        app.MapGet("/metrics", async (HttpContext context) =>
        {
            context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await metrics.Registry.CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted);
        });
        app.Map("/ws", (HttpContext context) => EventSocket.HandleAsync(context, engine.Events));
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            metrics.Dispose();
            throw new InvalidOperationException($"cannot serve the chaos API on {url}: {ex.Message}", ex);
        }

        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        if (engine.Configuration.ApiTokens.Count == 0 && ListenerGuard.FirstNonLoopback(bound) is { } exposed)
        {
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
            metrics.Dispose();
            throw new ChaosValidationException("bound address", exposed,
                "a loopback address, unless auth.tokens are configured (whatever set it: --urls, --listen, a configuration file, Kestrel__* or ASPNETCORE_URLS); the server was stopped at once");
        }

        var server = new ChaosServer(app, metrics);
        await warmUp.RunAsync(server.Url, engine.Configuration.ApiTokens.FirstOrDefault()?.Token, cancellationToken).ConfigureAwait(false);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _metrics.Dispose();
    }

    // Hands the engine's logger factory to the web host without the host owning (and disposing) it.
    private sealed class EngineLoggerProvider(ILoggerFactory loggers) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => loggers.CreateLogger(categoryName);

        public void Dispose()
        {
        }
    }
}
