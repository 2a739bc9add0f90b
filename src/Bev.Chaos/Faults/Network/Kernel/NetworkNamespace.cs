using System.Diagnostics;
using System.Text;
using Bev.Chaos.Targets.Linux;

namespace Bev.Chaos.Faults.Network.Kernel;

/// <summary>
/// A network namespace the kernel faults act in — a target's (its pid's), or a named one
/// (<c>ip netns</c>) — and running nft/tc inside it through <c>nsenter</c>.
/// </summary>
internal sealed record NetworkNamespace(string Path)
{
    private const string NamedRoot = "/var/run/netns";

    /// <summary>The namespace of a named netns or of the target's main process.</summary>
    public static NetworkNamespace For(FaultContext context)
    {
        if (context.Parameters.GetStringOrNull(NetworkParameters.Netns) is { } name)
        {
            return new NetworkNamespace(System.IO.Path.Combine(NamedRoot, name));
        }

        return new NetworkNamespace($"/proc/{context.Target.MainProcess.Pid}/ns/net");
    }

    public static void Validate(FaultContext context, List<ValidationError> errors)
    {
        if (context.Parameters.GetStringOrNull(NetworkParameters.Netns) is { } name && !File.Exists(System.IO.Path.Combine(NamedRoot, name)))
        {
            var known = Directory.Exists(NamedRoot) ? string.Join(", ", Directory.GetFiles(NamedRoot).Select(System.IO.Path.GetFileName)) : string.Empty;
            errors.Add(new ValidationError($"parameters.{NetworkParameters.Netns}", name, known.Length == 0 ? "a namespace from 'ip netns list' (there are none)" : "one of " + known));
        }
    }

    /// <summary>
    /// True when this is the engine's own namespace (the host's, for a local engine) — or when
    /// that cannot be told, which is treated the same, to be safe.
    /// </summary>
    public bool IsHost =>
        Path.StartsWith("/proc/", StringComparison.Ordinal)
        && (Identity(Path) is not { } mine || Identity("/proc/self/ns/net") is not { } engine || mine == engine);

    /// <summary>Whether the namespace still exists.</summary>
    public bool Exists => File.Exists(Path);

    /// <summary>Runs a program inside the namespace; returns exit code and output.</summary>
    public async Task<(int ExitCode, string Output)> RunAsync(string program, IReadOnlyList<string> arguments, string? input, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo("nsenter")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("--net=" + Path);
        info.ArgumentList.Add("--");
        info.ArgumentList.Add(program);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new FeatureUnavailableException("nsenter (util-linux) is not installed");
        }

        using (process)
        {
            if (input is not null)
            {
                await process.StandardInput.WriteAsync(input.AsMemory(), cancellationToken).ConfigureAwait(false);
            }

            process.StandardInput.Close();
            var output = new StringBuilder();
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            output.Append(await stdout.ConfigureAwait(false)).Append(await stderr.ConfigureAwait(false));
            return (process.ExitCode, output.ToString().Trim());
        }
    }

    /// <summary>Requires root and a program on PATH, with a clear message otherwise.</summary>
    public static void Require(string program, string package, string injector)
    {
        if (!LibC.IsRoot)
        {
            throw new FeatureUnavailableException($"{injector} with mechanism=kernel needs root");
        }

        var found = (Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin").Split(':').Append("/usr/sbin").Append("/sbin")
            .Any(dir => File.Exists(System.IO.Path.Combine(dir, program)));
        if (!found)
        {
            throw new FeatureUnavailableException($"{injector} needs '{program}' (Debian package {package}), which is not installed");
        }
    }

    private static string? Identity(string path)
    {
        try
        {
            return File.ResolveLinkTarget(path, returnFinalTarget: false)?.Name ?? new FileInfo(path).LinkTarget;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
