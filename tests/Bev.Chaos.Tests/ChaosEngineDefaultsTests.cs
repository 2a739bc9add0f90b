using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Bev.Chaos.Resilience;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.Tests;

/// <summary>
/// The simple way in (docs/library.md): ChaosEngine.OpenAsync over a chaos_engineer.yaml waits for
/// the catalog's health URLs; a resilience test without a load URL needs one in the catalog.
/// </summary>
public sealed class ChaosEngineDefaultsTests : IDisposable
{
    private readonly TestProcess _target = TestProcess.Sleeper();
    private readonly TempDirectory _directory = new();

    public void Dispose()
    {
        _target.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public async Task OpenAsync_ConfigurationFile_ReturnsOnlyOnceTheCatalogHealthUrlAnswers()
    {
        var port = FreePort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var requests = 0;
        // Unhealthy twice, then healthy: a service still starting up.
        var answering = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (HttpListenerException)
                {
                    return;
                }
                catch (ObjectDisposedException)
                {
                    return;
                }

                context.Response.StatusCode = Interlocked.Increment(ref requests) <= 2 ? 503 : 200;
                context.Response.Close();
            }
        }, TestContext.Current.CancellationToken);

        var file = WriteCatalog($"health_url: http://127.0.0.1:{port}/health");
        await using (var engine = await ChaosEngine.OpenAsync(file, Path.Combine(_directory.Path, "data"), TestContext.Current.CancellationToken))
        {
            Assert.True(Volatile.Read(ref requests) >= 3, $"OpenAsync returned after {requests} health requests, before the service answered 200");
            Assert.Equal(_target.Pid, engine.Configuration.Targets["web-server"].Pid);
        }

        listener.Stop();
        await answering;
    }

    [Fact]
    public async Task RunResilienceTestAsync_NoLoadUrlAndNoHealthUrlInTheCatalog_IsAValidationErrorNamingLoadUrl()
    {
        var file = WriteCatalog(string.Empty);
        await using var engine = await ChaosEngine.OpenAsync(file, Path.Combine(_directory.Path, "data"), TestContext.Current.CancellationToken);
        var tester = new ResilienceTester(engine);

        var error = await Assert.ThrowsAsync<ChaosValidationException>(() => tester.RunResilienceTestAsync(
            new ResilienceTestConfig { Name = "osint_pipeline_resilience", TargetServices = ["web-server"], FailureScenarios = ["service_crash"], AvailabilityThreshold = 99.0 },
            TestContext.Current.CancellationToken));

        Assert.Equal(
            ["load_url: '(none)' is not allowed; allowed: an absolute http:// URL, or target services of which one has a health_url in the catalog"],
            error.Errors.Select(e => e.ToString()));
    }

    private string WriteCatalog(string extra)
    {
        var file = Path.Combine(_directory.Path, "chaos_engineer.yaml");
        File.WriteAllText(file, $"""
            targets:
              web-server:
                pid: {_target.Pid.ToString(CultureInfo.InvariantCulture)}
                {extra}
            """);
        return file;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
