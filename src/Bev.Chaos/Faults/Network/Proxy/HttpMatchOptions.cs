using Bev.Chaos.Faults.Options;

namespace Bev.Chaos.Faults.Network.Proxy;

/// <summary>The HTTP faults' request matchers: every one left out matches every request.</summary>
internal record HttpMatchOptions
{
    /// <summary>Only requests with this method.</summary>
    [FaultOption("method", "Only requests with this method (GET, POST, …); default: every method.")]
    public string? Method { get; init; }

    /// <summary>Only requests whose path matches this glob.</summary>
    [FaultOption("path", "Only requests whose path matches this glob (/api/*; * spans /); default: every path.")]
    public string? Path { get; init; }

    /// <summary>Only requests carrying this header.</summary>
    [FaultOption("header_name", "Only requests carrying this header.")]
    public string? HeaderName { get; init; }

    /// <summary>With <see cref="HeaderName"/>: a regular expression its value must match.</summary>
    [FaultOption("header_value", "With header_name: a regular expression its value must match.")]
    public string? HeaderValue { get; init; }
}
