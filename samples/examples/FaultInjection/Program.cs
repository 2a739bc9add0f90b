// Example 2 of the original system, in C#: one fault through the FaultInjectionManager — 100 ms
// (± 20) of latency on web-server's calls to api-server, held until Enter (or the end of input),
// then removed. Without a removal it would expire after the configured default (60 s).
using System.Diagnostics;
using Bev.Chaos;

// The engine over the samples' catalog: web-server (which calls api-server through the fault
// proxy) and api-server are started and healthy when this returns.
await using var engine = await ChaosEngine.OpenAsync(Path.Combine(AppContext.BaseDirectory, "chaos_engineer.yaml"));
var faultManager = engine.Faults;
var webServer = new Uri(engine.Configuration.Targets["web-server"].HealthUrl!, "/");
Console.WriteLine($"web-server answered in {await TimeAsync(webServer):0} ms before the fault");

var faultId = await faultManager.InjectFaultAsync(
    injectorName: "network_delay",
    targetService: "web-server",
    profileName: "network_delay_light",
    parameters: new Dictionary<string, object?> { ["delay_ms"] = 100, ["jitter_ms"] = 20 });

Console.WriteLine($"injected {faultId}");
Console.WriteLine($"web-server answered in {await TimeAsync(webServer):0} ms with the fault");
Console.WriteLine("press Enter to remove it");
Console.In.ReadLine();

await faultManager.RemoveFaultAsync(faultId);
Console.WriteLine($"removed {faultId}; web-server answered in {await TimeAsync(webServer):0} ms");

// The fastest of three GETs on one kept-alive connection: the figure is the network path, not a
// first connection or the service's start-up.
static async Task<double> TimeAsync(Uri url)
{
    using var http = new HttpClient();
    var fastest = double.MaxValue;
    for (var i = 0; i < 3; i++)
    {
        var took = Stopwatch.StartNew();
        using var response = await http.GetAsync(url);
        response.EnsureSuccessStatusCode();
        fastest = Math.Min(fastest, took.Elapsed.TotalMilliseconds);
    }

    return fastest;
}
