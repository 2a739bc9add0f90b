// Benchmarks of the fault engine, each side by side with its yardstick, printed as Markdown.
// Run through bench/run.sh, which writes bench/RESULTS.md.
using Bev.Chaos.Bench;
using Bev.Chaos.Load;

var which = args.Length > 0 ? args[0] : "all";

// The shipped entry points as processes (./bev-chaos serve, load, CLI commands), each beside its yardstick.
if (which is "all" or "shipped" or "shipped-serve")
{
    await ShippedServeBench.RunAsync();
}

if (which is "all" or "shipped" or "shipped-load")
{
    await ShippedLoadBench.RunAsync();
}

if (which is "all" or "shipped" or "shipped-cli")
{
    await CliStartupBench.RunAsync();
}

// In-process benchmarks: the engine, the proxy and the generator hosted inside the bench.
var runs = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 100;
if (which is "all" or "latency")
{
    await InjectLatencyBench.RunAsync(runs);
}

if (which is "all" or "emergency-stop")
{
    await EmergencyStopBench.RunAsync([100, 1000]);
}

if (which is "all" or "proxy")
{
    var cli = Environment.GetEnvironmentVariable("BEV_CHAOS_CLI") ?? Path.Combine(AppContext.BaseDirectory, "bev-chaos");
    await ProxyBench.RunAsync(cli, int.Parse(Environment.GetEnvironmentVariable("IDLE_CONNECTIONS") ?? "9800", System.Globalization.CultureInfo.InvariantCulture));
}

if (which is "all" or "http-proxy")
{
    await HttpProxyBench.RunAsync();
}

if (which is "all" or "api")
{
    await ApiBench.RunAsync();
}

if (which is "all" or "load")
{
    await LoadGeneratorBench.RunAsync();
}

if (which is "all" or "containers")
{
    var cli = Environment.GetEnvironmentVariable("BEV_CHAOS_CLI") ?? Path.Combine(AppContext.BaseDirectory, "bev-chaos");
    await ContainerAndAgentBench.RunAsync(cli, 20);
}

if (which is "all" or "cpu-accuracy")
{
    await CpuAccuracyBench.RunAsync();
}
