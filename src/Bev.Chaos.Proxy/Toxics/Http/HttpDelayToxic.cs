namespace Bev.Chaos.Proxy.Toxics.Http;

/// <summary>
/// <c>http_delay</c>: a matching request reaches the upstream <c>delay_ms</c> (± <c>jitter_ms</c>)
/// after it arrived, or, with <c>on: response</c>, its response reaches the client that much
/// after it came back. Requests pipelined behind it wait too, as responses keep request order.
/// </summary>
internal sealed class HttpDelayToxic(ToxicDefinition definition) : HttpToxic(definition)
{
    private readonly long _delayMs = definition.Attribute(HttpToxicConstants.DelayMs);
    private readonly long _jitterMs = definition.Attribute(HttpToxicConstants.JitterMs);

    /// <summary>Whether the response is held rather than the request.</summary>
    public bool OnResponse { get; } = definition.Text(HttpToxicConstants.On) == HttpToxicConstants.ResponsePhase;

    /// <summary>This request's delay: <c>delay_ms</c> moved by a uniform draw within ± <c>jitter_ms</c>, never below zero.</summary>
    public TimeSpan NextDelay()
    {
        var ms = _jitterMs == 0 ? _delayMs : _delayMs + ((Next() * 2) - 1) * _jitterMs;
        return TimeSpan.FromMilliseconds(Math.Max(0, ms));
    }
}
