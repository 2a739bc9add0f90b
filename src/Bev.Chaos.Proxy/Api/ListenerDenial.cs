namespace Bev.Chaos.Proxy.Api;

/// <summary>Why <see cref="ListenerGuard"/> refused a request: the status and the documented error body's fields.</summary>
/// <param name="Status">401, 403 or 415.</param>
/// <param name="Error">What is wrong, for people.</param>
/// <param name="Field">The header (or part of the request) at fault.</param>
/// <param name="Allowed">What would have been accepted.</param>
public sealed record ListenerDenial(int Status, string Error, string Field, string? Allowed);
