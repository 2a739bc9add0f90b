using System.Globalization;

namespace Bev.Chaos.Helper;

/// <summary>Parses the helper's arguments and runs one effect until its lifeline or deadline ends.</summary>
internal static class HelperProgram
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0)
        {
            await Console.Error.WriteLineAsync("usage: Bev.Chaos.Helper cpu|memory|connections --ttl-ms N [options]").ConfigureAwait(false);
            return 2;
        }

        if (args[0] == "standby")
        {
            // Started ahead of need: the runtime is up when the engine hands over the real command
            // line, so a fault's inject latency does not include process start-up.
            Console.Out.WriteLine("standby");
            Console.Out.Flush();
            var command = Console.In.ReadLine();
            if (string.IsNullOrWhiteSpace(command))
            {
                return 0;
            }

            args = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        }

        var options = HelperOptions.Parse(args.AsSpan(1));
        using var lifetime = new CancellationTokenSource(TimeSpan.FromMilliseconds(options.GetLong("ttl-ms")));
        StartLifelineWatch(lifetime);

        try
        {
            IHelperEffect effect = args[0] switch
            {
                "cpu" => new CpuBurn(options.GetInt("workers"), options.GetDouble("load")),
                "memory" => new MemoryHold(options.GetDouble("rate-mb"), options.GetInt("max-mb")),
                "connections" => new ConnectionHold(options.Get("host"), options.GetInt("port"), options.GetInt("count"), options.GetBool("trickle")),
                _ => throw new ArgumentException($"unknown helper mode '{args[0]}'"),
            };
            await effect.RunAsync(Ready, lifetime.Token).ConfigureAwait(false);
            return 0;
        }
        catch (OperationCanceledException) when (lifetime.IsCancellationRequested)
        {
            return 0;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or KeyNotFoundException)
        {
            await Console.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return 2;
        }
    }

    private static void Ready(string detail)
    {
        Console.Out.WriteLine(string.IsNullOrEmpty(detail) ? "ready" : "ready " + detail);
        Console.Out.Flush();
    }

    // End of standard input means the engine is gone (or asked us to stop): exit at once.
    private static void StartLifelineWatch(CancellationTokenSource lifetime)
    {
        var thread = new Thread(() =>
        {
            using var stdin = Console.OpenStandardInput();
            var buffer = new byte[64];
            while (stdin.Read(buffer, 0, buffer.Length) > 0)
            {
            }

            Environment.Exit(0);
        })
        { IsBackground = true, Name = "lifeline" };
        thread.Start();
        _ = lifetime;
    }
}

/// <summary>One effect the helper can carry.</summary>
internal interface IHelperEffect
{
    Task RunAsync(Action<string> ready, CancellationToken cancellationToken);
}

/// <summary>Strict <c>--key value</c> argument parsing.</summary>
internal sealed class HelperOptions
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public static HelperOptions Parse(ReadOnlySpan<string> args)
    {
        var options = new HelperOptions();
        for (var i = 0; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"expected --key value at '{args[i]}'");
            }

            options._values[args[i][2..]] = args[i + 1];
        }

        return options;
    }

    public string Get(string key) => _values.TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"missing --{key}");

    public int GetInt(string key) => int.Parse(Get(key), CultureInfo.InvariantCulture);

    public long GetLong(string key) => long.Parse(Get(key), CultureInfo.InvariantCulture);

    public double GetDouble(string key) => double.Parse(Get(key), CultureInfo.InvariantCulture);

    public bool GetBool(string key) => bool.Parse(Get(key));
}
