using System.Runtime.CompilerServices;

namespace Bev.Chaos.TestSupport;

/// <summary>
/// Gives this test process (and the <c>bev-chaos</c> processes it starts, which inherit the
/// variable) a machine-wide journal-copy folder of its own, so that an emergency stop in one test
/// run never takes over the faults an earlier run left behind in <c>/run/bev-chaos</c>.
/// </summary>
internal static class TestRuntimeDirectory
{
    [ModuleInitializer]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries", Justification = "A test assembly: every test must see the folder.")]
    internal static void Initialize()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("BEV_CHAOS_RUNTIME_DIR")))
        {
            Environment.SetEnvironmentVariable("BEV_CHAOS_RUNTIME_DIR", Path.Combine(Path.GetTempPath(), $"bev-chaos-test-runtime-{Environment.ProcessId}"));
        }
    }
}
