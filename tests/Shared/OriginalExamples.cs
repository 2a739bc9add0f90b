namespace Bev.Chaos.TestSupport;

/// <summary>
/// The original system's configuration blocks (../shared/ORIGINAL-EXAMPLES.md, examples 8 and 9),
/// verbatim but for the addresses: the one copy every test reads.
/// </summary>
internal static class OriginalExamples
{
    /// <summary>Example 8.</summary>
    public const string SafetyBlock = """
        safety:
          production_mode: false
          require_approval_for_critical: true
          auto_rollback_enabled: true
          safety_monitoring_interval: 5.0

          # Safety thresholds
          max_cpu_usage: 90.0
          max_memory_usage: 85.0
          max_error_rate: 50.0
          max_response_time: 5000.0
        """;

    /// <summary>Example 9.</summary>
    public const string GlobalInjectorsIntegration = """
        global:
          max_concurrent_experiments: 3
          safety_check_interval: 10.0
          emergency_stop_threshold: 0.8

        fault_injectors:
          network_delay:
            enabled: true
            max_delay_ms: 2000

          cpu_stress:
            enabled: true
            max_cpu_load: 95

        integration:
          auto_recovery_url: "http://127.0.0.1:8080"
          health_monitor_url: "http://127.0.0.1:8080"
        """;

    /// <summary>All four blocks in one file, as the original's <c>chaos_engineer.yaml</c>, with the integrations at <paramref name="integrations"/> instead of 127.0.0.1:8080.</summary>
    public static string ChaosEngineerYaml(string integrations = "127.0.0.1:8080") =>
        GlobalInjectorsIntegration.Replace("127.0.0.1:8080", integrations, StringComparison.Ordinal) + "\n\n" + SafetyBlock + "\n";
}
