// The bench's yardstick process (bench/RESULTS.md).
//   serve DIR URL: bare Kestrel (minimal API, warnings-only console logging, no middleware) answering
//     each path listed in DIR/index.tsv (path, content type, file name; tab-separated) with that
//     file's bytes: the same bytes the chaos API answered, so only the work behind them differs.
//   yarp URL UPSTREAM: a plain YARP reverse proxy (one route, one destination, warnings-only logging)
//     listening on URL and forwarding every request to UPSTREAM (http://HOST:PORT/).
//   hello: prints a line and exits, the floor of a .NET console process's start-up.
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Configuration;

if (args is ["hello"])
{
    Console.WriteLine("hello");
    return 0;
}

if (args is ["yarp", var listen, var upstream])
{
    var proxy = WebApplication.CreateSlimBuilder();
    proxy.Logging.SetMinimumLevel(LogLevel.Warning);
    proxy.WebHost.UseUrls(listen);
    proxy.Services.AddReverseProxy().LoadFromMemory(
        [new RouteConfig { RouteId = "all", ClusterId = "upstream", Match = new RouteMatch { Path = "{**path}" } }],
        [new ClusterConfig { ClusterId = "upstream", Destinations = new Dictionary<string, DestinationConfig> { ["one"] = new() { Address = upstream } } }]);
    var proxyApp = proxy.Build();
    proxyApp.MapReverseProxy();
    await proxyApp.StartAsync();
    Console.WriteLine("listening on " + string.Join(" ", proxyApp.Urls));
    await proxyApp.WaitForShutdownAsync();
    return 0;
}

if (args is not ["serve", var dir, var url])
{
    Console.Error.WriteLine("usage: Bev.Chaos.BareKestrel serve DIR URL | yarp URL UPSTREAM | hello");
    return 2;
}

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.WebHost.UseUrls(url);
var app = builder.Build();
foreach (var line in File.ReadAllLines(Path.Combine(dir, "index.tsv")))
{
    var fields = line.Split('\t');
    var body = File.ReadAllBytes(Path.Combine(dir, fields[2]));
    var contentType = fields[1];
    app.MapGet(fields[0], () => Results.Bytes(body, contentType));
}

await app.StartAsync();
Console.WriteLine("listening on " + string.Join(" ", app.Urls));
await app.WaitForShutdownAsync();
return 0;
