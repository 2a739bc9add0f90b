namespace Bev.Chaos.Faults.Network.PostgresDelay;

internal static class PostgresDelayConstants
{
    public const string Name = "postgres_delay";
    public const string ToxicType = "postgres_delay";
}
