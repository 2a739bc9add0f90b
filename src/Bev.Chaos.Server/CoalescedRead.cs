namespace Bev.Chaos.Server;

/// <summary>
/// Shares one read among the requests that wait for it, without ever answering a request with a
/// read older than the request: a caller arriving while a read is running waits for the next read,
/// which starts once that one ends and serves everyone who arrived meanwhile. Under 8 concurrent
/// <c>GET /status</c> the store is asked a few times per batch instead of once per request (the
/// query's SQLite parse, plan and WAL lock were most of the request's CPU: bench/RESULTS.md).
/// </summary>
/// <typeparam name="T">What the read returns.</typeparam>
internal sealed class CoalescedRead<T>(Func<Task<T>> read)
{
    private readonly Lock _gate = new();
    private bool _running;
    private TaskCompletionSource<T>? _next;

    /// <summary>A read that started after this call: the next one, shared with whoever else asks before it starts.</summary>
    /// <param name="cancellationToken">Stops this caller's wait; the shared read goes on for the others.</param>
    public Task<T> ReadAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource<T> batch;
        lock (_gate)
        {
            if (_running)
            {
                return (_next ??= NewBatch()).Task.WaitAsync(cancellationToken);
            }

            _running = true;
            batch = NewBatch();
        }

        _ = RunAsync(batch);
        return batch.Task.WaitAsync(cancellationToken);
    }

    // Continuations run on the thread pool, so that answering one batch does not delay the next read.
    private static TaskCompletionSource<T> NewBatch() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task RunAsync(TaskCompletionSource<T> batch)
    {
        while (true)
        {
            try
            {
                batch.TrySetResult(await read().ConfigureAwait(false));
            }
            catch (Exception ex)
            {
                // Every waiter of this batch gets the read's own exception, as a lone caller would.
                batch.TrySetException(ex);
            }

            lock (_gate)
            {
                if (_next is null)
                {
                    _running = false;
                    return;
                }

                batch = _next;
                _next = null;
            }
        }
    }
}
