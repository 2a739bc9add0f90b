using System.Diagnostics;

namespace Bev.Chaos.TestSupport;

/// <summary>Starts the real bev-chaos executable built beside the tests, on a given data directory.</summary>
internal static class BevChaosCli
{
    public static Process Start(string dataDirectory, IEnumerable<string> args) => Start(dataDirectory, args, new Dictionary<string, string>());

    /// <summary>Starts it with extra environment variables (e.g. <c>Kestrel__Endpoints__x__Url</c>).</summary>
    public static Process Start(string dataDirectory, IEnumerable<string> args, IReadOnlyDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "bev-chaos"))
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        info.ArgumentList.Add("--data-dir");
        info.ArgumentList.Add(dataDirectory);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["NO_COLOR"] = "1";
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        return Process.Start(info)!;
    }
}
