namespace Bev.Chaos.Proxy.Api;

/// <summary>One mutating call to a listener, allowed or refused, as handed to <see cref="ListenerPolicy.AuditAsync"/>.</summary>
/// <param name="Who">The caller's token name, or <c>anonymous</c>.</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The request path (no query).</param>
/// <param name="Status">The status code answered.</param>
public sealed record ListenerAuditEntry(string Who, string Method, string Path, int Status);
