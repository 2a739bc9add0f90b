using Bev.Chaos.Proxy.Toxics.Http;

namespace Bev.Chaos.Proxy.Protocols.Http;

/// <summary>
/// One response the client is owed, in request order: the upstream's (with what the toxics do to
/// it) or the proxy's own.
/// </summary>
internal sealed class HttpResponseSlot
{
    /// <summary>The proxy's own response (an <c>http_abort</c>); null when the upstream answers.</summary>
    public byte[]? Synthesized { get; init; }

    /// <summary>Whether the connection ends once this response is sent.</summary>
    public bool CloseAfter { get; init; }

    /// <summary>The request was HEAD: its response has no body whatever its headers say.</summary>
    public bool ToHead { get; init; }

    /// <summary>The request asked to switch protocols or tunnel: once its response comes, the rest passes untouched.</summary>
    public bool LeavesHttp { get; init; }

    /// <summary>How long to hold the response once it starts to come back (<c>http_delay</c> with <c>on: response</c>).</summary>
    public TimeSpan ResponseDelay { get; init; }

    /// <summary>The <c>http_replace</c> that changes the response, if one was drawn.</summary>
    public HttpReplaceToxic? Replace { get; init; }
}
