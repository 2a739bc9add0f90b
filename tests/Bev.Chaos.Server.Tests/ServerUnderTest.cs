using Bev.Chaos.Configuration;
using Bev.Chaos.Scenarios;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.Server.Tests;

/// <summary>A real engine on a temporary data directory behind a real server on a free loopback port, with a client for it.</summary>
internal sealed class ServerUnderTest : IAsyncDisposable
{
    private readonly TempDirectory _data;

    private ServerUnderTest(TempDirectory data, ChaosEngine engine, ChaosServer server)
    {
        _data = data;
        Engine = engine;
        Server = server;
        Http = new HttpClient { BaseAddress = server.Url };
    }

    public ChaosEngine Engine { get; }

    public ChaosServer Server { get; }

    public HttpClient Http { get; }

    public static async Task<ServerUnderTest> StartAsync(ChaosConfiguration? configuration = null)
    {
        var data = new TempDirectory();
        var engine = await ChaosEngine.OpenAsync(configuration ?? new ChaosConfiguration(), data.Path, cancellationToken: TestContext.Current.CancellationToken);
        var server = await ChaosServer.StartAsync(engine, new ScenarioLibrary(), "http://127.0.0.1:0", cancellationToken: TestContext.Current.CancellationToken);
        return new ServerUnderTest(data, engine, server);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        await Engine.DisposeAsync();
        _data.Dispose();
    }
}
