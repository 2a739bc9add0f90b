namespace Bev.Chaos.Proxy.FastPath;

/// <summary>What waits on a forwarding engine's epoll set: called on the engine's thread only.</summary>
internal interface IReadinessHandler
{
    /// <summary>epoll reported <paramref name="events"/> on the handler's descriptor.</summary>
    void OnReady(uint events);

    /// <summary>Handling an event threw: end in failure.</summary>
    void OnFault(Exception exception);
}
