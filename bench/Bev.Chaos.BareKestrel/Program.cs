// The bench's yardstick process (bench/RESULTS.md).
//   serve DIR URL: bare Kestrel (minimal API, warnings-only console logging, no middleware) answering
//     each path listed in DIR/index.tsv (path, content type, file name; tab-separated) with that
//     file's bytes: the same bytes the chaos API answered, so only the work behind them differs.
//   hello: prints a line and exits, the floor of a .NET console process's start-up.
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

if (args is ["hello"])
{
    Console.WriteLine("hello");
    return 0;
}

if (args is not ["serve", var dir, var url])
{
    Console.Error.WriteLine("usage: Bev.Chaos.BareKestrel serve DIR URL | hello");
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
