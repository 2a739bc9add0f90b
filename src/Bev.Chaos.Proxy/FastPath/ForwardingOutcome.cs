namespace Bev.Chaos.Proxy.FastPath;

/// <summary>How a link's run on the fast path ended.</summary>
internal enum ForwardingOutcome
{
    /// <summary>The source closed its side; everything read has been written.</summary>
    EndOfStream,

    /// <summary>Stopped on request (a toxic arrived); everything read has been written.</summary>
    Stopped,

    /// <summary>A socket failed.</summary>
    Failed,
}
