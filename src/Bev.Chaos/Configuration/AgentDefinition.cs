namespace Bev.Chaos.Configuration;

/// <summary>One entry of <c>agents:</c>: a <c>bev-chaos agent</c> this controller drives.</summary>
/// <param name="Name">The host name in <c>agent:NAME/SERVICE</c> targets.</param>
/// <param name="Url">Where the agent listens.</param>
/// <param name="Token">Its bearer token.</param>
/// <param name="Lease">How long a fault outlives the controller's last renewal on that agent.</param>
public sealed record AgentDefinition(string Name, Uri Url, string Token, TimeSpan Lease);
