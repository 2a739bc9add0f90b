namespace Bev.Chaos.Cli;

/// <summary>Reports progress on the reporting thread, in order (<see cref="Progress{T}"/> posts to the thread pool and may reorder lines).</summary>
internal sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
