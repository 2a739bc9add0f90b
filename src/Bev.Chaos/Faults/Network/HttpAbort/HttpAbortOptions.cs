using Bev.Chaos.Faults.Network.Proxy;
using Bev.Chaos.Faults.Options;

namespace Bev.Chaos.Faults.Network.HttpAbort;

/// <summary>The options of <c>http_abort</c>: the HTTP matchers and the answer.</summary>
internal sealed record HttpAbortOptions : HttpMatchOptions
{
    /// <summary>The status the proxy answers with.</summary>
    [FaultOption("status", "The status the proxy answers with.", Min = 100, Max = 599)]
    public long Status { get; init; } = 503;

    /// <summary>The body it answers with (text).</summary>
    [FaultOption("body", "The body it answers with (text).")]
    public string? Body { get; init; }

    /// <summary>Headers of the answer, a JSON object.</summary>
    [FaultOption("headers", "Headers of the answer, a JSON object: {\"Retry-After\": \"5\"}.")]
    public string? Headers { get; init; }

    /// <summary>Reset the connection (TCP RST) instead of answering.</summary>
    [FaultOption("reset", "Reset the connection (TCP RST) instead of answering.")]
    public bool Reset { get; init; }
}
