using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Bev.Chaos.Server;

/// <summary>
/// The dashboard at <c>/</c>: three plain static files embedded in the server (no front-end build,
/// nothing to install), talking to the API and to <c>/ws</c> like any other client.
/// </summary>
internal static class DashboardFiles
{
    private static readonly Dictionary<string, string> Types = new(StringComparer.Ordinal)
    {
        ["index.html"] = "text/html; charset=utf-8",
        ["app.js"] = "text/javascript; charset=utf-8",
        ["style.css"] = "text/css; charset=utf-8",
    };

    public static void Map(IEndpointRouteBuilder app)
    {
        var files = Types.ToDictionary(t => t.Key, t => Read(t.Key));
        app.MapGet("/", () => Results.Content(files["index.html"], Types["index.html"]));
        app.MapGet("/dashboard/{file}", (string file) =>
            files.TryGetValue(file, out var content) ? Results.Content(content, Types[file]) : Results.NotFound());
    }

    private static string Read(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Dashboard/" + name)
            ?? throw new InvalidOperationException($"the dashboard file {name} is missing from the server assembly");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
