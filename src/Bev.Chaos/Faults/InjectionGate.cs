namespace Bev.Chaos.Faults;

/// <summary>
/// Counts the injections under way in this engine, so that an emergency stop can wait for the
/// ones that passed the safety lock just before it closed: once they have finished (active, hence
/// in the live list, or failed) the stop removes them too, and its answer is a barrier.
/// </summary>
internal sealed class InjectionGate
{
    private readonly Lock _sync = new();
    private int _inFlight;
    private TaskCompletionSource? _drained;

    /// <summary>Whether any injection is under way now.</summary>
    public bool IsBusy
    {
        get
        {
            lock (_sync)
            {
                return _inFlight > 0;
            }
        }
    }

    /// <summary>Marks one injection under way until the returned scope is disposed.</summary>
    public Scope Enter()
    {
        lock (_sync)
        {
            _inFlight++;
        }

        return new Scope(this);
    }

    /// <summary>Waits until no injection is under way, at most <paramref name="timeout"/>; false when some still were.</summary>
    public async Task<bool> WaitDrainedAsync(TimeSpan timeout, TimeProvider time)
    {
        Task drained;
        lock (_sync)
        {
            if (_inFlight == 0)
            {
                return true;
            }

            _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            drained = _drained.Task;
        }

        try
        {
            await drained.WaitAsync(timeout, time).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private void Leave()
    {
        TaskCompletionSource? drained = null;
        lock (_sync)
        {
            if (--_inFlight == 0)
            {
                (drained, _drained) = (_drained, null);
            }
        }

        drained?.TrySetResult();
    }

    /// <summary>One injection under way; disposing it ends it.</summary>
    public readonly struct Scope(InjectionGate gate) : IDisposable
    {
        /// <inheritdoc />
        public void Dispose() => gate.Leave();
    }
}
