namespace Bev.Chaos.Faults.Application.ConnectionExhaustion;

internal static class ConnectionExhaustionConstants
{
    public const string Name = "connection_exhaustion";
    public const string Connections = "connections";
    public const string Port = "port";
    public const string Trickle = "trickle";
    public const string ConnectionsCap = "max_connections";
}
