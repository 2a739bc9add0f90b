namespace Bev.Chaos.Probes;

/// <summary>What a probe checks.</summary>
public enum ProbeKind
{
    /// <summary>An HTTP request answered with an expected status (and body text).</summary>
    Http,

    /// <summary>A TCP connect.</summary>
    Tcp,

    /// <summary>A target's processes are alive and not stopped.</summary>
    Process,
}

/// <summary>A steady-state probe: validated, immutable.</summary>
public sealed record ProbeDefinition
{
    public required string Name { get; init; }

    public required ProbeKind Kind { get; init; }

    /// <summary>Http: the URL (loopback or a namespace of the test's own).</summary>
    public Uri? Url { get; init; }

    /// <summary>Http: accepted status codes (inclusive range).</summary>
    public int ExpectedStatusMin { get; init; } = 200;

    public int ExpectedStatusMax { get; init; } = 399;

    /// <summary>Http: text the body must contain.</summary>
    public string? BodyContains { get; init; }

    /// <summary>Http: a JSONPath into the body (<c>$.status</c>) whose value must equal <see cref="JsonExpected"/>.</summary>
    public string? JsonPath { get; init; }

    public string? JsonExpected { get; init; }

    /// <summary>Tcp: host and port.</summary>
    public string? Host { get; init; }

    public int Port { get; init; }

    /// <summary>Process: the target name.</summary>
    public string? Target { get; init; }

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(2);
}
