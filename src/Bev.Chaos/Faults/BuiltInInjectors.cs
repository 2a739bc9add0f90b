using Bev.Chaos.Faults.Application.ConnectionExhaustion;
using Bev.Chaos.Faults.Application.ServiceCrash;
using Bev.Chaos.Faults.Application.ServicePause;
using Bev.Chaos.Faults.Application.ServiceRestart;
using Bev.Chaos.Faults.Application.ServiceStop;
using Bev.Chaos.Faults.Compute.CpuStress;
using Bev.Chaos.Faults.Compute.CpuThrottle;
using Bev.Chaos.Faults.Compute.MemoryLeak;
using Bev.Chaos.Faults.Compute.MemoryLimit;
using Bev.Chaos.Faults.Network.ConnectionReset;
using Bev.Chaos.Faults.Network.DataLimit;
using Bev.Chaos.Faults.Network.HttpAbort;
using Bev.Chaos.Faults.Network.HttpDelay;
using Bev.Chaos.Faults.Network.HttpReplace;
using Bev.Chaos.Faults.Network.NetworkBandwidth;
using Bev.Chaos.Faults.Network.NetworkDelay;
using Bev.Chaos.Faults.Network.NetworkPartition;
using Bev.Chaos.Faults.Network.NetworkTimeout;
using Bev.Chaos.Faults.Network.PacketCorrupt;
using Bev.Chaos.Faults.Network.PacketDuplicate;
using Bev.Chaos.Faults.Network.PacketLoss;
using Bev.Chaos.Faults.Network.PacketLossBurst;
using Bev.Chaos.Faults.Network.PacketReorder;
using Bev.Chaos.Faults.Network.PostgresDelay;
using Bev.Chaos.Faults.Network.PostgresError;
using Bev.Chaos.Faults.Network.RedisDelay;
using Bev.Chaos.Faults.Network.RedisError;
using Bev.Chaos.Faults.Storage.DiskFill;
using Bev.Chaos.Faults.Storage.IoDelay;
using Bev.Chaos.Proxy;
using Bev.Chaos.Targets.Docker;

namespace Bev.Chaos.Faults;

/// <summary>The fault types that ship with BEV Chaos. A new fault type is a folder and one line here.</summary>
public static class BuiltInInjectors
{
    /// <summary>
    /// A fresh instance of every built-in injector; network faults on the proxy act on
    /// <paramref name="proxies"/>, container faults go through <paramref name="docker"/>.
    /// </summary>
    public static IReadOnlyList<FaultInjector> Create(ProxyCollection? proxies = null, DockerEngine? docker = null)
    {
        var host = proxies ?? new ProxyCollection();
        return
    [
        new ServiceCrashInjector(),
        new ServicePauseInjector(docker),
        new ServiceStopInjector(docker),
        new ServiceRestartInjector(docker),
        new ConnectionExhaustionInjector(),
        new CpuStressInjector(),
        new CpuThrottleInjector(),
        new MemoryLeakInjector(),
        new MemoryLimitInjector(),
        new DiskFillInjector(docker),
        new IoDelayInjector(),
        new NetworkDelayInjector(host),
        new NetworkBandwidthInjector(host),
        new NetworkPartitionInjector(host),
        new PacketLossInjector(),
        new PacketDuplicateInjector(),
        new PacketCorruptInjector(),
        new PacketReorderInjector(),
        new PacketLossBurstInjector(),
        new ConnectionResetInjector(host),
        new NetworkTimeoutInjector(host),
        new DataLimitInjector(host),
        new HttpAbortInjector(host),
        new HttpDelayInjector(host),
        new HttpReplaceInjector(host),
        new RedisErrorInjector(host),
        new RedisDelayInjector(host),
        new PostgresErrorInjector(host),
        new PostgresDelayInjector(host),
    ];
    }
}
