namespace Bev.Chaos.Faults.Network.PostgresError;

internal static class PostgresErrorConstants
{
    public const string Name = "postgres_error";
    public const string ToxicType = "postgres_error";
}
