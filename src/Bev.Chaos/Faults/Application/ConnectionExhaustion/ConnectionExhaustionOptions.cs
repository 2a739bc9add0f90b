using Bev.Chaos.Faults.Options;
using static Bev.Chaos.Faults.Application.ConnectionExhaustion.ConnectionExhaustionConstants;

namespace Bev.Chaos.Faults.Application.ConnectionExhaustion;

/// <summary>The options of <c>connection_exhaustion</c>.</summary>
internal sealed record ConnectionExhaustionOptions
{
    /// <summary>Connections to open and hold.</summary>
    [FaultOption(Connections, "Connections to open and hold.", Min = 1, Max = 20000, CapKey = ConnectionsCap)]
    public long Count { get; init; } = 100;

    /// <summary>The target's TCP port on 127.0.0.1; null: the catalog's port.</summary>
    [FaultOption(Port, "The target's TCP port on 127.0.0.1; defaults to the catalog's port.", Min = 1, Max = 65535)]
    public int? TcpPort { get; init; }

    /// <summary>Send a never-finished HTTP request slowly on each connection.</summary>
    [FaultOption(Trickle, "Send a never-finished HTTP request slowly on each connection.")]
    public bool TrickleRequest { get; init; }
}
