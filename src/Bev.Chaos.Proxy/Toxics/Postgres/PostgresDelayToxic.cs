namespace Bev.Chaos.Proxy.Toxics.Postgres;

/// <summary><c>postgres_delay</c>: a matching query (simple, or a Bind of a matching statement) reaches the server <c>delay_ms</c> after it arrived.</summary>
internal sealed class PostgresDelayToxic(ToxicDefinition definition) : PostgresToxic(definition)
{
    public TimeSpan Delay { get; } = TimeSpan.FromMilliseconds(definition.Attribute(PostgresToxicConstants.DelayMs));
}
