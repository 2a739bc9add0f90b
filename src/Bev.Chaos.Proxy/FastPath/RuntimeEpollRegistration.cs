using System.Globalization;
using System.Net.Sockets;

namespace Bev.Chaos.Proxy.FastPath;

/// <summary>
/// A socket's entry in .NET's own epoll set, which can be told to stop reporting readability or
/// writability while the fast path moves the socket's bytes. Without this, every edge of a
/// forwarded socket also wakes .NET's socket thread and a thread-pool worker that find nothing to
/// do — on two cores that took a third of the CPU the kernel needed to move the data. .NET adds a
/// socket to its set only once an operation on it has had to wait, so a socket the fast path has
/// had from the start has no entry and costs nothing here; for one that has been through the
/// toxic path, the entry (its epoll and the runtime's data word) is read from
/// <c>/proc/self/fdinfo</c>, since .NET does not expose it.
/// </summary>
internal sealed class RuntimeEpollRegistration
{
    /// <summary>Readability: what the link reading from this socket silences.</summary>
    public const uint Readable = Native.EpollIn | Native.EpollPri | Native.EpollRdHup;

    /// <summary>Writability: what the link writing to this socket silences.</summary>
    public const uint Writable = Native.EpollOut;

    private const string EventPollLink = "anon_inode:[eventpoll]";
    private static int[]? _runtimeEpolls;

    private readonly Socket _socket;
    private readonly Lock _gate = new();
    private volatile bool _usedByRuntime;
    private int _epoll = -1;
    private uint _events;
    private ulong _data;
    private uint _silenced;

    public RuntimeEpollRegistration(Socket socket)
    {
        _socket = socket;
    }

    /// <summary>Notes that .NET's socket engine is about to be used on the socket (so it may have an entry).</summary>
    public void MarkUsedByRuntime() => _usedByRuntime = true;

    /// <summary>Stops .NET's epoll reporting <paramref name="events"/> for this socket.</summary>
    public void Silence(uint events)
    {
        if (!_usedByRuntime)
        {
            return;
        }

        lock (_gate)
        {
            if (_epoll < 0 && !TryFind())
            {
                return;
            }

            _silenced |= events;
            Apply();
        }
    }

    /// <summary>Lets .NET's epoll report <paramref name="events"/> again; re-arming reports the socket's present state at once.</summary>
    public void Restore(uint events)
    {
        if (!_usedByRuntime)
        {
            return;
        }

        lock (_gate)
        {
            if (_epoll < 0 || (_silenced & events) == 0)
            {
                return;
            }

            _silenced &= ~events;
            Apply();
        }
    }

    /// <summary>Parses one fdinfo line of an epoll set: <c>tfd:      194 events: 8000001d data:                3  pos:0 ...</c>.</summary>
    internal static bool TryParseEntry(string line, out int fd, out uint events, out ulong data)
    {
        fd = -1;
        events = 0;
        data = 0;
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 6 && parts[0] == "tfd:" && parts[2] == "events:" && parts[4] == "data:"
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out fd)
            && uint.TryParse(parts[3], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out events)
            && ulong.TryParse(parts[5], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out data);
    }

    private void Apply()
    {
        var entry = new Native.EpollEvent { Events = _events & ~_silenced, Data = _data };
        if (Native.epoll_ctl(_epoll, Native.EpollCtlMod, (int)_socket.SafeHandle.DangerousGetHandle(), ref entry) != 0)
        {
            // The socket has left the set (closed): nothing more to do for it.
            _epoll = -1;
        }
    }

    private bool TryFind()
    {
        var fd = (int)_socket.SafeHandle.DangerousGetHandle();
        // Looked for again until found: .NET makes its sets when the first socket has to wait.
        var epolls = _runtimeEpolls is { Length: > 0 } known ? known : _runtimeEpolls = FindRuntimeEpolls();
        foreach (var epoll in epolls)
        {
            try
            {
                foreach (var line in File.ReadLines("/proc/self/fdinfo/" + epoll.ToString(CultureInfo.InvariantCulture)))
                {
                    if (line.StartsWith("tfd:", StringComparison.Ordinal) && TryParseEntry(line, out var entryFd, out var events, out var data) && entryFd == fd)
                    {
                        (_epoll, _events, _data) = (epoll, events, data);
                        return true;
                    }
                }
            }
            catch (IOException)
            {
            }
        }

        return false;
    }

    // .NET makes its epoll sets together: once one is there, all are.
    private static int[] FindRuntimeEpolls()
    {
        var found = new List<int>();
        foreach (var link in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            try
            {
                if (int.TryParse(Path.GetFileName(link), NumberStyles.None, CultureInfo.InvariantCulture, out var fd)
                    && !ForwardingEngine.IsOwnEpoll(fd) && new FileInfo(link).LinkTarget == EventPollLink)
                {
                    found.Add(fd);
                }
            }
            catch (IOException)
            {
            }
        }

        return [.. found];
    }
}
