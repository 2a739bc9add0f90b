using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Bev.Chaos.TestSupport;
using Npgsql;

namespace Bev.Chaos.Proxy.Tests.Protocols.Postgres;

/// <summary>
/// A real PostgreSQL server (Debian's package) made by <c>initdb</c> in a temporary directory and
/// started on a free loopback port, with password (SCRAM) authentication. PostgreSQL refuses to
/// run as root, so under root it runs as the package's <c>postgres</c> user.
/// </summary>
internal sealed class PostgresServer : IAsyncDisposable
{
    public const string User = "bev";
    public const string Password = "chaos-pw";

    private readonly Process _process;
    private readonly string _directory;

    private PostgresServer(Process process, string directory, int port) => (_process, _directory, Port) = (process, directory, port);

    public int Port { get; }

    public string Address => $"127.0.0.1:{Port}";

    /// <summary>A connection string for the server at <paramref name="address"/> (the proxy's, or the server's own).</summary>
    public static string ConnectionString(string address, string extra = "")
    {
        var (host, port) = (address[..address.LastIndexOf(':')], address[(address.LastIndexOf(':') + 1)..]);
        return $"Host={host};Port={port};Username={User};Password={Password};Database=postgres;Pooling=false;Timeout=15;Command Timeout=30;{extra}";
    }

    public static async Task<PostgresServer> StartAsync()
    {
        var bin = FindBinaries();
        if (bin is null)
        {
            Requires.Capability("PostgreSQL's server programs (initdb, postgres: Debian package postgresql)");
            throw new InvalidOperationException("unreachable");
        }

        var root = Requires.IsRoot;
        if (root && !File.ReadLines("/etc/passwd").Any(l => l.StartsWith("postgres:", StringComparison.Ordinal)))
        {
            Requires.Capability("the user 'postgres' (made by Debian's postgresql package) to run PostgreSQL as non-root");
        }

        var directory = Directory.CreateTempSubdirectory("bev-chaos-pg-").FullName;
        File.SetUnixFileMode(directory, (UnixFileMode)0x1FF);
        var passwordFile = Path.Combine(directory, "pw");
        await File.WriteAllTextAsync(passwordFile, Password + "\n");
        File.SetUnixFileMode(passwordFile, (UnixFileMode)0x1A4);
        var data = Path.Combine(directory, "data");
        var (initExit, initOutput) = await RunAsync(root, Path.Combine(bin, "initdb"), "-D", data, "-U", User, "-A", "scram-sha-256", "--pwfile", passwordFile, "--no-sync", "-E", "UTF8", "--locale", "C");
        if (initExit != 0)
        {
            Assert.Fail($"initdb failed ({initExit}): {initOutput}");
        }

        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort();
            var process = Start(root, Path.Combine(bin, "postgres"), "-D", data, "-p", port.ToString(CultureInfo.InvariantCulture), "-c", "listen_addresses=127.0.0.1", "-k", directory, "-c", "fsync=off", "-c", "max_connections=30");
            var server = new PostgresServer(process, directory, port);
            var deadline = Stopwatch.GetTimestamp() + 30 * Stopwatch.Frequency;
            while (!process.HasExited && Stopwatch.GetTimestamp() < deadline)
            {
                try
                {
                    await using var connection = new NpgsqlConnection(ConnectionString(server.Address));
                    await connection.OpenAsync();
                    return server;
                }
                catch (Exception ex) when (ex is NpgsqlException or SocketException or TimeoutException)
                {
                    await Task.Delay(50);
                }
            }

            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            if (attempt >= 2)
            {
                await server.DisposeAsync();
                Assert.Fail($"postgres did not accept connections on 127.0.0.1:{port} within 30 s");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string? FindBinaries()
    {
        var candidates = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':')
            .Concat(Directory.Exists("/usr/lib/postgresql") ? Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(d => Path.Combine(d, "bin")) : []);
        return candidates.FirstOrDefault(dir => File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "postgres")));
    }

    private static ProcessStartInfo Info(bool root, string program, string[] args)
    {
        // setpriv execs the program (no child in between), so killing the process kills PostgreSQL.
        var info = root ? new ProcessStartInfo("setpriv") : new ProcessStartInfo(program);
        if (root)
        {
            foreach (var arg in new[] { "--reuid=postgres", "--regid=postgres", "--clear-groups", "--", program })
            {
                info.ArgumentList.Add(arg);
            }
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        info.WorkingDirectory = "/tmp";
        return info;
    }

    private static Process Start(bool root, string program, params string[] args)
    {
        var process = Process.Start(Info(root, program, args))!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<(int Exit, string Output)> RunAsync(bool root, string program, params string[] args)
    {
        using var process = Process.Start(Info(root, program, args))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, await output + await error);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
