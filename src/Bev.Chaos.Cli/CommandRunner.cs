using System.CommandLine;
using Spectre.Console;

namespace Bev.Chaos.Cli;

/// <summary>Runs a command body and maps failures to the contract's exit codes and clear messages.</summary>
internal static class CommandRunner
{
    public static async Task<int> RunAsync(Func<CancellationToken, Task<int>> body, CancellationToken cancellationToken)
    {
        try
        {
            return await body(cancellationToken).ConfigureAwait(false);
        }
        catch (ChaosValidationException ex)
        {
            await Console.Error.WriteLineAsync("bev-chaos: invalid input:").ConfigureAwait(false);
            foreach (var error in ex.Errors)
            {
                await Console.Error.WriteLineAsync("  " + error).ConfigureAwait(false);
            }

            return ExitCodes.InvalidInput;
        }
        catch (Bev.Chaos.Safety.SafetyLockException ex)
        {
            await Console.Error.WriteLineAsync("bev-chaos: refused: " + ex.Message).ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        catch (FeatureUnavailableException ex)
        {
            await Console.Error.WriteLineAsync("bev-chaos: not possible on this machine: " + ex.Message).ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Success;
        }
        catch (System.Data.Common.DbException ex)
        {
            // Damage found past the open (a page read later): the message, never a stack trace.
            await Console.Error.WriteLineAsync($"bev-chaos: the store failed: {ex.Message.TrimEnd('.')}; if it is damaged, move chaos.db and its -wal and -shm files aside in the data directory and run again (open faults are restored from their copies)").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or UnauthorizedAccessException or TimeoutException)
        {
            await Console.Error.WriteLineAsync("bev-chaos: " + ex.Message).ConfigureAwait(false);
            return ExitCodes.Failure;
        }
    }

    /// <summary>Holds a long-running command until Ctrl-C or SIGTERM.</summary>
    public static async Task WaitForStopAsync(CancellationToken token)
    {
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, TimeProvider.System, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Asked to stop: the caller's disposals remove what it holds.
        }
    }

    /// <summary>Parses <c>--param k=v</c> pairs; bad ones are invalid input.</summary>
    public static Dictionary<string, object?> ParseParameters(IEnumerable<string>? pairs)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        var errors = new List<ValidationError>();
        foreach (var pair in pairs ?? [])
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                errors.Add(new ValidationError("--param", pair, "KEY=VALUE"));
                continue;
            }

            result[pair[..eq]] = pair[(eq + 1)..];
        }

        return errors.Count > 0 ? throw new ChaosValidationException(errors) : result;
    }

    /// <summary>Parses <c>--duration</c>; bad ones are invalid input.</summary>
    public static TimeSpan? ParseDuration(string? text, string option = "--duration") =>
        text is null ? null
        : DurationText.TryParse(text, out var value) && value > TimeSpan.Zero ? value
        : throw new ChaosValidationException(option, text, "a positive duration: seconds, or with ms/s/m/h (e.g. 30s, 5m)");

    public static bool IsJson(ParseResult parse, Option<string> output) => parse.GetValue(output) == "json";

    public static string Escape(string text) => Markup.Escape(text);
}
