using System.Runtime.InteropServices;

namespace Bev.Chaos.Helper;

/// <summary>
/// Grows resident memory by <c>rate-mb</c> MiB per second up to <c>max-mb</c>, touching every page
/// so the memory is really resident, and holds it until the lifeline ends. The process exit frees it.
/// </summary>
internal sealed class MemoryHold(double rateMbPerSecond, int maxMb) : IHelperEffect
{
    private const int Mib = 1024 * 1024;
    private const int PageSize = 4096;
    private readonly List<nint> _chunks = [];

    public async Task RunAsync(Action<string> ready, CancellationToken cancellationToken)
    {
        var step = TimeSpan.FromMilliseconds(100);
        var perStep = rateMbPerSecond / 10.0;
        var owed = 0.0;
        var readySent = false;
        while (_chunks.Count < maxMb)
        {
            owed += perStep;
            while (owed >= 1.0 && _chunks.Count < maxMb)
            {
                AllocateAndTouchMib();
                owed -= 1.0;
            }

            if (!readySent)
            {
                ready(string.Empty);
                readySent = true;
            }

            await Task.Delay(step, TimeProvider.System, cancellationToken).ConfigureAwait(false);
        }

        if (!readySent)
        {
            ready(string.Empty);
        }

        Console.Out.WriteLine($"full {_chunks.Count}");
        Console.Out.Flush();
        await Task.Delay(Timeout.InfiniteTimeSpan, TimeProvider.System, cancellationToken).ConfigureAwait(false);
    }

    private unsafe void AllocateAndTouchMib()
    {
        var chunk = (byte*)NativeMemory.Alloc(Mib);
        for (var offset = 0; offset < Mib; offset += PageSize)
        {
            chunk[offset] = 1;
        }

        _chunks.Add((nint)chunk);
    }
}
