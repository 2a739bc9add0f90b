using System.Diagnostics;

namespace Bev.Chaos.TestSupport;

/// <summary>Starts the real bev-chaos executable built beside the tests, on a given data directory.</summary>
internal static class BevChaosCli
{
    public static Process Start(string dataDirectory, IEnumerable<string> args)
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
        return Process.Start(info)!;
    }
}
