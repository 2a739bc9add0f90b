using Bev.Chaos.Faults.Network.Proxy;
using Bev.Chaos.Faults.Options;

namespace Bev.Chaos.Faults.Network.HttpReplace;

/// <summary>The options of <c>http_replace</c>: the HTTP matchers and what the response gets.</summary>
internal sealed record HttpReplaceOptions : HttpMatchOptions
{
    /// <summary>The status the response gets; null: the dependency's.</summary>
    [FaultOption("status", "The status the response gets (default: the dependency's).", Min = 100, Max = 599)]
    public long? Status { get; init; }

    /// <summary>The body the response gets (text).</summary>
    [FaultOption("body", "The body the response gets (text).")]
    public string? Body { get; init; }

    /// <summary>Headers to set, a JSON object; a null value removes one.</summary>
    [FaultOption("headers", "Headers to set, a JSON object; a null value removes one: {\"Cache-Control\": null}.")]
    public string? Headers { get; init; }

    /// <summary>A JSON object merged into a JSON response body (RFC 7396).</summary>
    [FaultOption("json_patch", "A JSON object merged into a JSON response body (RFC 7396: null removes a member).")]
    public string? JsonPatch { get; init; }
}
