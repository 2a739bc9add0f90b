namespace Bev.Chaos.Deploy.Tests.Packages;

/// <summary>
/// A program of a user's: a new project that references Bev.Chaos from the feed (a
/// PackageReference, not a project reference), built with `dotnet build` and run by its apphost
/// with no BEV_CHAOS_HELPER: its cpu_stress must burn CPU through the helper the package copied.
/// </summary>
public sealed class ConsumerTests(PackageFeed feed)
{
    private const string Program = """
        using Bev.Chaos;
        using Bev.Chaos.Configuration;

        // args: target pid, data directory. Injects, says so, holds the fault until stdin closes.
        await using var engine = await ChaosEngine.OpenAsync(new ChaosConfiguration(), args[1]);
        var faultId = await engine.Faults.InjectFaultAsync(
            "cpu_stress", "pid:" + args[0], parameters: new Dictionary<string, object?> { ["load_percent"] = 90 },
            duration: TimeSpan.FromSeconds(30));
        Console.WriteLine("injected " + faultId);
        Console.In.ReadToEnd();
        Console.WriteLine(await engine.Faults.RemoveFaultAsync(faultId) ? "removed" : "gone");
        """;

    [Fact]
    public async Task ConsumerProgram_CpuStressFromThePackage_HelperFoundWithoutEnvironmentAndBurnsCpu()
    {
        feed.EnsurePacked();
        var project = Path.Combine(feed.Scratch, "consumer");
        Directory.CreateDirectory(project);
        await File.WriteAllTextAsync(Path.Combine(project, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Bev.Chaos" Version="{feed.Version}" />
              </ItemGroup>
            </Project>
            """, TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(project, "Program.cs"), Program, TestContext.Current.CancellationToken);
        File.Copy(feed.NuGetConfig, Path.Combine(project, "nuget.config"));
        var output = Path.Combine(project, "out");
        var (exit, log) = await Tool.RunAsync("dotnet", ["build", project, "-c", "Release", "-o", output, "-nologo", "-tl:off", "-v", "quiet"], TimeSpan.FromMinutes(5), project);
        Assert.True(exit == 0, "the consumer did not build: " + log);
        Assert.True(File.Exists(Path.Combine(output, "Bev.Chaos.Helper.dll")), "the package's build targets did not copy the helper to the output");

        using var sleeper = new Sleeper();
        using var data = new TempDirectory();
        using var consumer = Tool.Start(Path.Combine(output, "Consumer"), [sleeper.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), data.Path]);
        try
        {
            var first = await consumer.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
            if (first?.StartsWith("injected ", StringComparison.Ordinal) != true)
            {
                consumer.Kill(entireProcessTree: true);
                Assert.Fail($"the consumer said '{first}': {await consumer.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken)}");
            }

            var helpers = ToolTests.HelpersUnder(consumer.Id);
            Assert.NotEmpty(helpers);
            Assert.All(helpers, pid => Assert.Contains(Path.Combine(output, "Bev.Chaos.Helper.dll"), ProcStat.CommandLine(pid), StringComparison.Ordinal));
            await ToolTests.AssertHelpersBurnAsync(consumer.Id);

            consumer.StandardInput.Close();
            Assert.Equal("removed", await consumer.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
            await Poll.UntilAsync(() => ToolTests.HelpersUnder(consumer.Id).All(pid => ProcStat.CommandLine(pid).Contains("standby", StringComparison.Ordinal)), TimeSpan.FromSeconds(10), "the cpu helper gone once the fault was removed");
        }
        finally
        {
            if (!consumer.HasExited)
            {
                consumer.Kill(entireProcessTree: true);
            }

            await consumer.WaitForExitAsync(TestContext.Current.CancellationToken);
        }
    }
}
