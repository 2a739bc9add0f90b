namespace Bev.Chaos.Proxy;

/// <summary>The direction a toxic acts on, in Toxiproxy's terms.</summary>
public enum ToxicStream
{
    /// <summary>Client → upstream server.</summary>
    Upstream,

    /// <summary>Upstream server → client (Toxiproxy's default).</summary>
    Downstream,
}
