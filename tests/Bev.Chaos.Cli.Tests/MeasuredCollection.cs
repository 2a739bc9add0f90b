namespace Bev.Chaos.Cli.Tests;

/// <summary>
/// Tests whose verdicts rest on measured latency and availability run alone, not beside other
/// tests that burn CPU or hold memory on this 2-core machine.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MeasuredCollection
{
    public const string Name = "measured";
}
