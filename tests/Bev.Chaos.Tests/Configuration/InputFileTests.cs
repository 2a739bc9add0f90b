using System.Diagnostics;
using Bev.Chaos.Configuration;
using Bev.Chaos.Experiments.ChaosToolkit;
using Bev.Chaos.Scenarios;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.Tests.Configuration;

/// <summary>Configuration, scenario and experiment files are read with bounds: regular files only, 4 MiB at most.</summary>
public sealed class InputFileTests
{
    [Fact]
    public void LoadFile_DevZero_RefusedWithinASecondWithoutReadingIt()
    {
        var (error, elapsed, allocated) = Measure(() => ChaosConfigurationLoader.LoadFile("/dev/zero"));

        Assert.Equal("--config: '/dev/zero' is not allowed; allowed: a regular file (this is a character device)", error.Message);
        Assert.InRange(elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(1));
        Assert.InRange(allocated, 0, 1024 * 1024);
    }

    [Fact]
    public void LoadFile_FiftyMegabyteFile_RefusedWithinASecondWithBoundedMemory()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "huge.yaml");
        using (var file = File.Create(path))
        {
            file.SetLength(50L * 1024 * 1024);
        }

        var (error, elapsed, allocated) = Measure(() => ChaosConfigurationLoader.LoadFile(path));

        Assert.Equal($"--config: '{path}' is not allowed; allowed: a file of at most 4 MiB (4194304 bytes); this one has 52428800 bytes", error.Message);
        Assert.InRange(elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(1));
        Assert.InRange(allocated, 0, 1024 * 1024);
    }

    [Fact]
    public void ReadText_ProcFileLongerThanItsReportedSize_CappedWhileReading()
    {
        // /proc files report size 0 whatever they hold: the cap must hold while reading, not only on Length.
        var error = Assert.Throws<ChaosValidationException>(() => InputFile.ReadText("/proc/self/status", "SCENARIO", maxBytes: 16));

        Assert.Equal("SCENARIO: '/proc/self/status' is not allowed; allowed: a file of at most 16 bytes; this one has more than 16 bytes", error.Message);
        Assert.StartsWith("Name:", InputFile.ReadText("/proc/self/status", "SCENARIO"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadFile_Fifo_RefusedWithoutBlockingOnTheOpen()
    {
        using var dir = new TempDirectory();
        var fifo = Path.Combine(dir.Path, "pipe.yaml");
        using (var mkfifo = Process.Start("mkfifo", [fifo]))
        {
            await mkfifo.WaitForExitAsync(TestContext.Current.CancellationToken);
            Assert.Equal(0, mkfifo.ExitCode);
        }

        // On a thread of its own: were the FIFO opened, the open would block until a writer came.
        var load = Task.Run(() => Assert.Throws<ChaosValidationException>(() => ChaosConfigurationLoader.LoadFile(fifo)), TestContext.Current.CancellationToken);
        var error = await load.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);

        Assert.Equal($"--config: '{fifo}' is not allowed; allowed: a regular file (this is a FIFO (named pipe))", error.Message);
    }

    [Fact]
    public void LoadFile_Directory_Refused()
    {
        using var dir = new TempDirectory();

        var error = Assert.Throws<ChaosValidationException>(() => ChaosConfigurationLoader.LoadFile(dir.Path));

        Assert.Equal($"--config: '{dir.Path}' is not allowed; allowed: a regular file (this is a directory)", error.Message);
    }

    [Fact]
    public void ScenarioAndExperimentFiles_DevZero_RefusedLikeConfiguration()
    {
        var scenario = Assert.Throws<ChaosValidationException>(() => new ScenarioLibrary().Load("/dev/zero"));
        var experiment = Assert.Throws<ChaosValidationException>(() => ChaosToolkitDocument.Load("/dev/zero"));

        Assert.Contains("scenarios: '/dev/zero' is not allowed; allowed: a regular file (this is a character device)", scenario.Message, StringComparison.Ordinal);
        Assert.Equal("EXPERIMENT: '/dev/zero' is not allowed; allowed: a regular file (this is a character device)", experiment.Message);
    }

    [Fact]
    public void EveryYamlFile_NestedAFewHundredThousandDeep_IsRefusedNotAStackOverflow()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "deep.yaml");
        File.WriteAllText(path, new string('[', 200_000));

        var errors = new[]
        {
            Assert.Throws<ChaosValidationException>(() => ChaosConfigurationLoader.LoadFile(path)),
            Assert.Throws<ChaosValidationException>(() => new ScenarioLibrary().Load(path)),
            Assert.Throws<ChaosValidationException>(() => ChaosToolkitDocument.Load(path)),
        };

        foreach (var error in errors)
        {
            Assert.Contains($"{path}:1: (yaml): 'nesting 65 deep' is not allowed; allowed: mappings and lists nested at most 64 deep", error.Errors.Select(e => e.ToString()));
        }
    }

    [Fact]
    public void EveryYamlFile_SyntaxError_SaysWhatAndWhere()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "bad.yaml");
        File.WriteAllText(path, "title: x\n  bad: \"unterminated\" x: 1\nmethod: []\n");

        var errors = new[]
        {
            Assert.Throws<ChaosValidationException>(() => ChaosConfigurationLoader.LoadFile(path)),
            Assert.Throws<ChaosValidationException>(() => new ScenarioLibrary().Load(path)),
            Assert.Throws<ChaosValidationException>(() => ChaosToolkitDocument.Load(path)),
        };

        foreach (var error in errors)
        {
            var single = Assert.Single(error.Errors);
            Assert.Equal(("(yaml)", $"{path}:2"), (single.Field, single.Location));
            Assert.Matches(@"^well-formed YAML; at line 2, column \d+: \S.*", single.Allowed);
        }
    }

    [Fact]
    public void ReadText_SmallFileWithBom_ReadsTheText()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "c.yaml");
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. "global: {}\n"u8]);

        Assert.Equal("global: {}\n", InputFile.ReadText(path));
    }

    private static (ChaosValidationException Error, TimeSpan Elapsed, long Allocated) Measure(Action action)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        var error = Assert.Throws<ChaosValidationException>(action);
        clock.Stop();
        return (error, clock.Elapsed, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
