using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Bev.Chaos.Proxy.FastPath;

/// <summary>
/// One thread with its own epoll set that moves the bytes of toxic-free links itself — a
/// non-blocking recv into a large buffer and a send from it, the way HAProxy does — instead of
/// going through .NET's socket engine, whose every readiness edge costs a thread-pool hop. Links are
/// spread over one engine per core. A link holds a buffer only while data is passing; the engine
/// keeps a few free ones and gives them back after a second with nothing to do.
/// </summary>
internal sealed class ForwardingEngine
{
    /// <summary>Bytes a busy link reads at once while few links on the engine are busy: one bulk stream moves most with large reads.</summary>
    public const int LargeBufferSize = 1 << 20;

    /// <summary>Bytes a busy link reads at once while many are: many streams move most with reads that stay in the cache.</summary>
    public const int SmallBufferSize = 256 << 10;

    /// <summary>Busy links on one engine up to which they get large buffers (bench/RESULTS.md has the measurements behind both sizes).</summary>
    private const int LargeBuffersUpTo = 4;
    private const int FreeLargeBuffersKept = 4;
    private const int FreeSmallBuffersKept = 32;
    private const int IdleMilliseconds = 1000;

    private static readonly Lazy<ForwardingEngine[]> Engines = new(() =>
        [.. Enumerable.Range(0, Math.Clamp(Environment.ProcessorCount, 1, 8)).Select(i => new ForwardingEngine(i))]);

    private static long _nextId;
    private static long _nextEngine;

    private readonly int _epoll;
    private readonly ConcurrentDictionary<long, IReadinessHandler> _handlers = new();
    private readonly Stack<byte[]> _freeLargeBuffers = new();
    private readonly Stack<byte[]> _freeSmallBuffers = new();
    private readonly Lock _buffersGate = new();
    private int _buffersLent;

    private ForwardingEngine(int index)
    {
        _epoll = Native.epoll_create1(Native.OCloexec);
        if (_epoll < 0)
        {
            throw new InvalidOperationException("epoll_create1 failed: errno " + Marshal.GetLastPInvokeError());
        }

        new Thread(Loop) { IsBackground = true, Name = "bev-chaos fwd " + index }.Start();
    }

    /// <summary>Whether the fast path runs here: Linux on x86-64, whose epoll_event layout this code knows. <c>BEV_CHAOS_PROXY_FAST_PATH=0</c> turns it off.</summary>
    public static bool Available { get; } = OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64
        && Environment.GetEnvironmentVariable("BEV_CHAOS_PROXY_FAST_PATH") != "0";

    /// <summary>Whether <paramref name="fd"/> is one of the engines' epoll sets (not the runtime's).</summary>
    public static bool IsOwnEpoll(int fd) => Engines.IsValueCreated && Array.Exists(Engines.Value, e => e._epoll == fd);

    /// <summary>The engine for the next connection, round robin over the cores; null where the fast path does not run.</summary>
    public static ForwardingEngine? Next()
    {
        if (!Available)
        {
            return null;
        }

        var turn = Interlocked.Increment(ref _nextEngine);
        return Engines.Value[(int)(turn % Engines.Value.Length)];
    }

    public static long NewId() => Interlocked.Increment(ref _nextId);

    /// <summary>Adds <paramref name="fd"/> to this engine's set, its events going to <paramref name="handler"/>.</summary>
    public bool Add(int fd, uint events, long id, IReadinessHandler handler)
    {
        _handlers[id] = handler;
        var entry = new Native.EpollEvent { Events = events, Data = (ulong)id };
        if (Native.epoll_ctl(_epoll, Native.EpollCtlAdd, fd, ref entry) == 0)
        {
            return true;
        }

        _handlers.TryRemove(id, out _);
        return false;
    }

    /// <summary>Re-arms <paramref name="fd"/>: the kernel re-checks its readiness and reports it at once if it is ready.</summary>
    public bool Rearm(int fd, uint events, long id)
    {
        var entry = new Native.EpollEvent { Events = events, Data = (ulong)id };
        return Native.epoll_ctl(_epoll, Native.EpollCtlMod, fd, ref entry) == 0;
    }

    public void Remove(int fd, long id)
    {
        var none = default(Native.EpollEvent);
        Native.epoll_ctl(_epoll, Native.EpollCtlDel, fd, ref none);
        _handlers.TryRemove(id, out _);
    }

    /// <summary>A buffer for a busy link: large while few links on this engine hold one, else small.</summary>
    public byte[] RentBuffer()
    {
        lock (_buffersGate)
        {
            var large = _buffersLent < LargeBuffersUpTo;
            _buffersLent++;
            if ((large ? _freeLargeBuffers : _freeSmallBuffers).TryPop(out var buffer))
            {
                return buffer;
            }

            return GC.AllocateUninitializedArray<byte>(large ? LargeBufferSize : SmallBufferSize, pinned: true);
        }
    }

    public void ReturnBuffer(byte[] buffer)
    {
        lock (_buffersGate)
        {
            _buffersLent--;
            var (free, kept) = buffer.Length == LargeBufferSize ? (_freeLargeBuffers, FreeLargeBuffersKept) : (_freeSmallBuffers, FreeSmallBuffersKept);
            if (free.Count < kept)
            {
                free.Push(buffer);
            }
        }
    }

    private void Loop()
    {
        var events = new Native.EpollEvent[256];
        while (true)
        {
            int waitMilliseconds;
            lock (_buffersGate)
            {
                waitMilliseconds = _freeLargeBuffers.Count + _freeSmallBuffers.Count > 0 ? IdleMilliseconds : -1;
            }

            var count = Native.epoll_wait(_epoll, events, events.Length, waitMilliseconds);
            if (count == 0)
            {
                lock (_buffersGate)
                {
                    _freeLargeBuffers.Clear();
                    _freeSmallBuffers.Clear();
                }

                continue;
            }

            for (var i = 0; i < count; i++)
            {
                if (_handlers.TryGetValue((long)events[i].Data, out var handler))
                {
                    try
                    {
                        handler.OnReady(events[i].Events);
                    }
                    catch (Exception ex)
                    {
                        handler.OnFault(ex);
                    }
                }
            }
        }
    }
}
