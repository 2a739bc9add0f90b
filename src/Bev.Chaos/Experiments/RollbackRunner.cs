using Bev.Chaos.Faults;
using Bev.Chaos.Probes;
using Microsoft.Extensions.Logging;

namespace Bev.Chaos.Experiments;

/// <summary>
/// An experiment's rollback: removes each of its faults still in effect, then runs its
/// <see cref="ExperimentConfig.Rollbacks"/> steps once. Idempotent and never throws; it remembers
/// whether every removal and every step succeeded, which is what
/// <see cref="ExperimentResult.RolledBack"/> reports.
/// </summary>
internal sealed class RollbackRunner(ExperimentState state, FaultInjectionManager faults, ProcessRunner processes, HttpClient http, TimeProvider time, ILogger logger)
{
    private int _stepsRun;
    private volatile bool _failed;

    /// <summary>True while nothing of the rollback failed (so far).</summary>
    public bool Succeeded => !_failed;

    /// <summary>Rolls back what is still open; the result is <see cref="Succeeded"/>.</summary>
    public async Task<bool> RunAsync()
    {
        foreach (var fault in state.OpenFaults())
        {
            // Every open fault is asked for, not only those this engine holds: an agent's fault lives
            // on its host. One that expired or went with an emergency stop is already undone (false).
            try
            {
                await faults.RemoveFaultAsync(fault.FaultId, CancellationToken.None).ConfigureAwait(false);

                // A revert that failed is journaled, not thrown (whether now, at expiry or in a stop).
                if (await faults.RemovalErrorAsync(fault.FaultId, CancellationToken.None).ConfigureAwait(false) is { } error)
                {
                    Fail($"rollback of {fault.FaultId} failed: {error}", fault.FaultId, error);
                }
            }
            catch (Exception ex)
            {
                // Never throws: one failed removal must not keep the others in.
                Fail($"rollback of {fault.FaultId} failed: {ex.Message}", fault.FaultId, ex.Message);
            }

            state.MarkRemoved(fault, time.GetUtcNow());
        }

        if (Interlocked.Exchange(ref _stepsRun, 1) == 0)
        {
            foreach (var action in state.Run.Config.Rollbacks)
            {
                if (await RunStepAsync(action).ConfigureAwait(false) is { } failure)
                {
                    Fail($"rollback {action.Name} failed: {failure}", action.Name, failure);
                }
            }
        }

        return Succeeded;
    }

    private void Fail(string reason, string rollback, string failure)
    {
        _failed = true;
        state.AddReason(reason);
        ExperimentLog.RollbackFailed(logger, state.Run.Id, rollback, failure);
    }

    /// <summary>Null when the step succeeded, else why not.</summary>
    private async Task<string?> RunStepAsync(RollbackAction action)
    {
        try
        {
            if (action.Url is { } url)
            {
                using var timeout = new CancellationTokenSource(action.Timeout, time);
                using var request = new HttpRequestMessage(new HttpMethod(action.Method), url);
                using var response = await http.SendAsync(request, timeout.Token).ConfigureAwait(false);
                return response.IsSuccessStatusCode ? null : $"status {(int)response.StatusCode}";
            }

            var run = await processes.RunAsync(action.Command!, action.Timeout, CancellationToken.None).ConfigureAwait(false);
            return run.TimedOut ? $"timed out after {DurationText.Format(action.Timeout)} (its process tree was killed)"
                : run.ExitCode == 0 ? null
                : $"exit {run.ExitCode}: {run.Stderr.Trim()}";
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or System.ComponentModel.Win32Exception or IOException)
        {
            return ex.Message;
        }
    }
}
