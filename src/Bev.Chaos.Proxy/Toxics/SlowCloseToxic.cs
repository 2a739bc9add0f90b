namespace Bev.Chaos.Proxy.Toxics;

/// <summary><c>slow_close</c>: the close is passed on <c>delay</c> ms late.</summary>
internal sealed class SlowCloseToxic(ToxicDefinition definition) : Toxic(definition)
{
    public override TimeSpan CloseDelay => TimeSpan.FromMilliseconds(Definition.Attribute("delay"));
}
