using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Bev.Chaos.Proxy;

/// <summary>
/// Zero-copy forwarding for links that carry no toxic: <c>splice(2)</c> moves bytes from the source
/// socket through a pipe into the destination socket without copying them into user space. One
/// epoll thread drives every splicing link, each waiting (one-shot) for its source to be readable or
/// its destination writable. A link leaves splicing when a toxic arrives (the pipe is drained first,
/// so no byte is lost or reordered), at end of stream, or on error.
/// </summary>
internal static partial class SpliceEngine
{
    private const int EpollIn = 0x001;
    private const int EpollOut = 0x004;
    private const int EpollErr = 0x008;
    private const int EpollHup = 0x010;
    private const int EpollRdHup = 0x2000;
    private const int EpollEdge = 1 << 31;
    private const int EpollCtlAdd = 1;
    private const int EpollCtlDel = 2;
    private const int EpollCtlMod = 3;
    private const int SpliceMove = 1;
    private const int SpliceNonBlock = 2;
    private const int SpliceMore = 4;
    private const int OCloexec = 0x80000;
    private const int ONonBlock = 0x800;
    private const int FSetPipeSize = 1031;
    private const int EAgain = 11;
    private const int EIntr = 4;
    private const int PipeSize = 256 * 1024;

    private static readonly ConcurrentDictionary<long, Session> Sessions = new();
    private static readonly Lazy<int> Epoll = new(StartEpollThread);
    private static long _nextId;
    private static long _bytesSpliced;

    /// <summary>Bytes moved by splice(2) so far in this process.</summary>
    public static long BytesSpliced => Interlocked.Read(ref _bytesSpliced);

    /// <summary>Whether splicing works here (Linux x64: the epoll_event layout this code knows).</summary>
    public static bool Available { get; } = OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64
        && Environment.GetEnvironmentVariable("BEV_CHAOS_PROXY_SPLICE") != "0";

    /// <summary>How a splicing run ended.</summary>
    public enum Outcome
    {
        /// <summary>The source closed its side.</summary>
        EndOfStream,

        /// <summary>Stopped on request (a toxic arrived); everything read has been written.</summary>
        Stopped,

        /// <summary>A socket failed.</summary>
        Failed,
    }

    /// <summary>A link's splicing run, stoppable from another thread.</summary>
    public sealed class Session
    {
        private readonly TaskCompletionSource<Outcome> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Lock _gate = new();
        private int _source;
        private int _destination;
        private int _pipeRead;
        private int _pipeWrite;
        private long _inPipe;
        private volatile bool _stop;

        internal long Id { get; init; }

        public Task<Outcome> Completion => _done.Task;

        internal bool Open(Socket source, Socket destination)
        {
            _source = dup((int)source.SafeHandle.DangerousGetHandle());
            _destination = dup((int)destination.SafeHandle.DangerousGetHandle());
            var fds = new int[2];
            if (_source < 0 || _destination < 0 || pipe2(fds, OCloexec | ONonBlock) != 0)
            {
                Release();
                return false;
            }

            _pipeRead = fds[0];
            _pipeWrite = fds[1];
            fcntl(_pipeWrite, FSetPipeSize, PipeSize);
            // Edge-triggered and registered once: a pump runs until the source is drained (EAGAIN) or
            // the destination is full, so each edge it waits for is sure to come.
            var readable = new EpollEvent { Events = unchecked((uint)(EpollIn | EpollRdHup | EpollErr | EpollHup | EpollEdge)), Data = (ulong)Id };
            var writable = new EpollEvent { Events = unchecked((uint)(EpollOut | EpollErr | EpollHup | EpollEdge)), Data = (ulong)Id };
            if (epoll_ctl(Epoll.Value, EpollCtlAdd, _source, ref readable) != 0 || epoll_ctl(Epoll.Value, EpollCtlAdd, _destination, ref writable) != 0)
            {
                Release();
                return false;
            }

            return true;
        }

        /// <summary>Asks the run to end once the pipe is empty.</summary>
        public void Stop()
        {
            _stop = true;

            // Wake the session: re-registering re-evaluates readiness, and its destination is almost
            // always writable, so this fires at once.
            lock (_gate)
            {
                if (!_done.Task.IsCompleted)
                {
                    var writable = new EpollEvent { Events = unchecked((uint)(EpollOut | EpollErr | EpollHup | EpollEdge)), Data = (ulong)Id };
                    if (epoll_ctl(Epoll.Value, EpollCtlMod, _destination, ref writable) != 0)
                    {
                        Finish(Outcome.Failed);
                    }
                }
            }
        }

        internal void Pump()
        {
            lock (_gate)
            {
                if (_done.Task.IsCompleted)
                {
                    return;
                }

                while (true)
                {
                    if (_inPipe > 0)
                    {
                        var written = splice(_pipeRead, 0, _destination, 0, (nuint)_inPipe, SpliceMove | SpliceNonBlock);
                        if (written > 0)
                        {
                            _inPipe -= written;
                            Interlocked.Add(ref _bytesSpliced, written);
                            continue;
                        }

                        var error = Marshal.GetLastPInvokeError();
                        if (written < 0 && error == EIntr)
                        {
                            continue;
                        }

                        if (written < 0 && error == EAgain)
                        {
                            return;
                        }

                        Finish(Outcome.Failed);
                        return;
                    }

                    if (_stop)
                    {
                        Finish(Outcome.Stopped);
                        return;
                    }

                    var read = splice(_source, 0, _pipeWrite, 0, PipeSize, SpliceMove | SpliceNonBlock);
                    if (read > 0)
                    {
                        _inPipe += read;
                        continue;
                    }

                    if (read == 0)
                    {
                        Finish(Outcome.EndOfStream);
                        return;
                    }

                    var readError = Marshal.GetLastPInvokeError();
                    if (readError == EIntr)
                    {
                        continue;
                    }

                    if (readError == EAgain)
                    {
                        return;
                    }

                    Finish(Outcome.Failed);
                    return;
                }
            }
        }

        private void Finish(Outcome outcome)
        {
            Release();
            Sessions.TryRemove(Id, out _);
            _done.TrySetResult(outcome);
        }

        private void Release()
        {
            var none = default(EpollEvent);
            foreach (var fd in new[] { _source, _destination })
            {
                if (fd > 0)
                {
                    epoll_ctl(Epoll.Value, EpollCtlDel, fd, ref none);
                }
            }

            foreach (var fd in new[] { _source, _destination, _pipeRead, _pipeWrite })
            {
                if (fd > 0)
                {
                    close(fd);
                }
            }

            _source = _destination = _pipeRead = _pipeWrite = 0;
        }
    }

    /// <summary>Starts splicing from <paramref name="source"/> to <paramref name="destination"/>; null when it cannot here.</summary>
    public static Session? Start(Socket source, Socket destination)
    {
        if (!Available)
        {
            return null;
        }

        var session = new Session { Id = Interlocked.Increment(ref _nextId) };
        Sessions[session.Id] = session;
        if (!session.Open(source, destination))
        {
            Sessions.TryRemove(session.Id, out _);
            return null;
        }

        session.Pump();
        return session;
    }

    private static int StartEpollThread()
    {
        var epoll = epoll_create1(OCloexec);
        if (epoll < 0)
        {
            throw new InvalidOperationException("epoll_create1 failed: errno " + Marshal.GetLastPInvokeError());
        }

        var thread = new Thread(() => Loop(epoll)) { IsBackground = true, Name = "bev-chaos splice" };
        thread.Start();
        return epoll;
    }

    private static void Loop(int epoll)
    {
        var events = new EpollEvent[256];
        while (true)
        {
            var count = epoll_wait(epoll, events, events.Length, -1);
            for (var i = 0; i < count; i++)
            {
                if (Sessions.TryGetValue((long)events[i].Data, out var session))
                {
                    session.Pump();
                }
            }
        }
    }

    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    private struct EpollEvent
    {
        public uint Events;
        public ulong Data;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_create1(int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_ctl(int epfd, int op, int fd, ref EpollEvent e);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_wait(int epfd, [Out] EpollEvent[] events, int maxevents, int timeout);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint splice(int fdIn, nint offIn, int fdOut, nint offOut, nuint len, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int pipe2([Out] int[] fds, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fcntl(int fd, int cmd, int arg);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int dup(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);
}
