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
    public async Task Dashboard_ShowsFault_EmergencyStopRemovesIt()
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
        await using var engine = await ChaosEngine.OpenAsync(new ChaosConfiguration(), data.Path, cancellationToken: TestContext.Current.CancellationToken);
        await using var server = await ChaosServer.StartAsync(engine, new ScenarioLibrary(), "http://127.0.0.1:0", cancellationToken: TestContext.Current.CancellationToken);
        using var http = new HttpClient { BaseAddress = server.Url };
        using var created = await http.PostAsync("/faults", new StringContent($$"""{"injector_name":"service_pause","target_service":"pid:{{target.Pid}}","duration_seconds":60}""", Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var faultId = JsonDocument.Parse(await created.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.GetProperty("fault_id").GetString()!;
        Assert.Equal('T', target.State);
        var screenshot = Path.Combine(ArtifactDirectory(), "dashboard-emergency-stop.png");

        using var node = Process.Start(new ProcessStartInfo("node", [script, server.Url.ToString(), faultId, screenshot])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(script)!,
        })!;
        var output = await node.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = await node.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await node.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.True(node.ExitCode == 0, error);
        var seen = JsonDocument.Parse(output).RootElement;
        Assert.Contains("emergency_stop", seen.GetProperty("events").GetString());
        Assert.Equal("safety lock ENGAGED", seen.GetProperty("safety").GetString());
        Assert.True(target.State is 'R' or 'S', "running again (R or S): not stopped, not gone");
        Assert.Empty(await engine.Journal.ListOpenAsync(TestContext.Current.CancellationToken));
        Assert.True(new FileInfo(screenshot).Length > 10_000, "the screenshot should show the page");
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
