namespace Bev.Chaos.Faults;

/// <summary>Everything that defines one fault to inject.</summary>
/// <param name="Injector">An injector name, e.g. <c>cpu_stress</c>.</param>
/// <param name="Target">A catalog name, <c>pid:N</c> or <c>name:PROCESS</c>.</param>
/// <param name="Profile">A profile of the injector, or null.</param>
/// <param name="Parameters">Explicit parameters; they override the profile's.</param>
/// <param name="Duration">How long; default from profile or configuration, capped by configuration.</param>
/// <param name="MaxPercent">Blast radius: the share (1–100) of the target's matched processes the fault may touch.</param>
public sealed record FaultRequest(
    string Injector,
    string Target,
    string? Profile = null,
    IReadOnlyDictionary<string, object?>? Parameters = null,
    TimeSpan? Duration = null,
    int MaxPercent = 100);
