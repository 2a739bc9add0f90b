// The service the samples fault: a small HTTP server on 127.0.0.1. GET /health answers "ok";
// GET / answers a JSON line, after calling --upstream first when one is given (through the fault
// proxy in the samples' catalog, so a network fault there shows in this service's answers).
// Usage: SampleTarget --name NAME --port PORT [--upstream URL]
using System.Diagnostics;
using System.Net;

var name = Option("--name") ?? "sample-target";
var port = int.Parse(Option("--port") ?? throw new ArgumentException("--port is required"), System.Globalization.CultureInfo.InvariantCulture);
var upstream = Option("--upstream") is { } u ? new Uri(u) : null;

using var listener = new HttpListener();
listener.Prefixes.Add($"http://127.0.0.1:{port}/");
listener.Start();
using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
Console.WriteLine($"{name} listening on http://127.0.0.1:{port}/");

while (listener.IsListening)
{
    var context = await listener.GetContextAsync();
    _ = Task.Run(() => AnswerAsync(context));
}

async Task AnswerAsync(HttpListenerContext context)
{
    var response = context.Response;
    try
    {
        string body;
        if (context.Request.Url?.AbsolutePath == "/health" || upstream is null)
        {
            body = context.Request.Url?.AbsolutePath == "/health" ? "ok" : $$"""{"service":"{{name}}"}""";
        }
        else
        {
            var took = Stopwatch.StartNew();
            using var answer = await http.GetAsync(upstream);
            body = $$"""{"service":"{{name}}","upstream_status":{{(int)answer.StatusCode}},"upstream_ms":{{took.Elapsed.TotalMilliseconds:0.0}}}""";
            response.StatusCode = answer.IsSuccessStatusCode ? 200 : 502;
        }

        var bytes = System.Text.Encoding.UTF8.GetBytes(body + "\n");
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes);
    }
    catch (HttpRequestException)
    {
        response.StatusCode = 502;
    }
    catch (TaskCanceledException)
    {
        response.StatusCode = 504;
    }
    finally
    {
        try
        {
            response.Close();
        }
        catch (HttpListenerException)
        {
            // The client went away first; nothing to answer.
        }
    }
}

string? Option(string flag) => Array.IndexOf(args, flag) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
