namespace Bev.Chaos.Faults.Compute.CpuStress;

internal static class CpuStressConstants
{
    public const string Name = "cpu_stress";
    public const string Workers = "workers";
    public const string LoadPercent = "load_percent";
    public const string LoadCap = "max_cpu_load";
    public const long DefaultWorkers = 1;
    public const double DefaultLoadPercent = 50;
}
