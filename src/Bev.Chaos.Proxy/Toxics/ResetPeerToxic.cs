namespace Bev.Chaos.Proxy.Toxics;

/// <summary><c>reset_peer</c>: after <c>timeout</c> ms (0 = at once) both sides get a TCP RST.</summary>
internal sealed class ResetPeerToxic(ToxicDefinition definition) : Toxic(definition)
{
    private sealed class Pending
    {
        public ITimer? Timer;
    }

    public override object? CreateState() => new Pending();

    public override void OnAttach(ProxyLink link, object? state)
    {
        var timeout = TimeSpan.FromMilliseconds(Definition.Attribute("timeout"));
        ((Pending)state!).Timer = link.Time.CreateTimer(_ =>
        {
            Counters.AddReset();
            link.Connection.Close(reset: true);
        }, null, timeout, Timeout.InfiniteTimeSpan);
    }

    public override void OnDetach(ProxyLink link, object? state) => ((Pending)state!).Timer?.Dispose();
}
