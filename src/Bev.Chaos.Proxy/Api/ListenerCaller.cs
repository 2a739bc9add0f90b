namespace Bev.Chaos.Proxy.Api;

/// <summary>Who presented a valid bearer token: the name that goes to the audit log, and the role.</summary>
/// <param name="Name">The token's name (<c>auth.tokens[].name</c>).</param>
/// <param name="Role">What the token may do.</param>
public sealed record ListenerCaller(string Name, ListenerRole Role);
