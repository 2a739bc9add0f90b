using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Bev.Chaos.Configuration;
using Bev.Chaos.Scenarios;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.Server.Tests;

/// <summary>The dashboard end to end in Debian's headless Chromium, driven by Playwright.</summary>
public sealed class DashboardTests
{
    [Fact]
    public Task Dashboard_InjectsThroughItsForm_ShowsTheFault_EmergencyStopRemovesIt() =>
        RunAsync(new ChaosConfiguration(), null, "dashboard-emergency-stop.png");

    [Fact]
    public Task Dashboard_WithTokens_TheTokenTypedIntoThePageDoesTheSame() =>
        RunAsync(new ChaosConfiguration { ApiTokens = [new ApiToken("ops", OperatorToken, ApiRole.Operator)] }, OperatorToken, "dashboard-emergency-stop-token.png");

    private const string OperatorToken = "dashboard-operator-token-0123";

    private static async Task RunAsync(ChaosConfiguration configuration, string? token, string screenshotName)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "dashboard", "check.js");
        if (!File.Exists("/usr/bin/chromium") || !Directory.Exists(Path.Combine(AppContext.BaseDirectory, "dashboard", "node_modules", "playwright-core")))
        {
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                Assert.Fail("CI=true: test.sh installs chromium and playwright-core, but one is missing");
            }

            Assert.Skip("needs Debian's chromium and the npm package playwright-core (./test.sh installs both as root)");
        }

        using var data = new TempDirectory();
        using var target = TestProcess.Sleeper();
        await using var engine = await ChaosEngine.OpenAsync(configuration, data.Path, cancellationToken: TestContext.Current.CancellationToken);
        await using var server = await ChaosServer.StartAsync(engine, new ScenarioLibrary(), "http://127.0.0.1:0", cancellationToken: TestContext.Current.CancellationToken);
        var screenshot = Path.Combine(ArtifactDirectory(), screenshotName);

        using var node = Process.Start(new ProcessStartInfo("node", [script, server.Url.ToString(), $"pid:{target.Pid}", screenshot, .. token is null ? Array.Empty<string>() : [token]])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(script)!,
        })!;
        try
        {
            await DriveAsync(node, engine, target);
        }
        finally
        {
            // A failed assertion must not leave the browser waiting for its go.
            if (!node.HasExited)
            {
                node.Kill(entireProcessTree: true);
            }
        }

        Assert.True(target.State is 'R' or 'S', "running again (R or S): not stopped, not gone");
        Assert.Empty(await engine.Journal.ListOpenAsync(TestContext.Current.CancellationToken));
        Assert.True(new FileInfo(screenshot).Length > 10_000, "the screenshot should show the page");
    }

    private static async Task DriveAsync(Process node, ChaosEngine engine, TestProcess target)
    {
        var error = node.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);

        // The page injected through its form: the fault is in the journal and the target stopped.
        var injectedLine = await node.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken);
        if (injectedLine is null)
        {
            Assert.Fail("the page never injected: " + await error);
        }

        var injected = JsonDocument.Parse(injectedLine).RootElement;
        Assert.StartsWith("refused: target_service: 'pid:0' is not allowed", injected.GetProperty("refused").GetString());
        var entry = await engine.Journal.GetAsync(injected.GetProperty("injected").GetString()!, TestContext.Current.CancellationToken);
        Assert.Equal(("service_pause", $"pid:{target.Pid}"), (entry?.Injector, entry?.Target));
        await Poll.UntilAsync(() => target.State, state => state == 'T', TimeSpan.FromSeconds(5), "the target stopped by the dashboard's fault");
        try
        {
            await node.StandardInput.WriteLineAsync("go");
            await node.StandardInput.FlushAsync(TestContext.Current.CancellationToken);
        }
        catch (IOException)
        {
            Assert.Fail("the page stopped before its go: " + await error);
        }

        var output = await node.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await node.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.True(node.ExitCode == 0, await error);
        var seen = JsonDocument.Parse(output).RootElement;
        Assert.Contains("emergency_stop", seen.GetProperty("events").GetString());
        Assert.Equal("safety lock ENGAGED", seen.GetProperty("safety").GetString());
    }

    // test-results/ at the repository root when there is one (kept by test.sh), else beside the tests.
    private static string ArtifactDirectory()
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "Bev.Chaos.slnx")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        var artifacts = Path.Combine(dir ?? AppContext.BaseDirectory, "test-results");
        Directory.CreateDirectory(artifacts);
        return artifacts;
    }
}
