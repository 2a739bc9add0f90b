using System.Collections.Concurrent;
using Bev.Chaos.Events;
using Bev.Chaos.Faults;

namespace Bev.Chaos.Agents;

/// <summary>
/// The agent's dead-man switch: a fault injected for a controller carries a lease that the
/// controller renews; when renewals stop (controller crash, network partition) the agent removes
/// the fault by itself when the lease runs out. The fault's own duration still bounds it too.
/// </summary>
public sealed class FaultLeases(FaultInjectionManager faults, TimeProvider timeProvider) : IDisposable
{
    private readonly ConcurrentDictionary<string, Lease> _leases = new(StringComparer.Ordinal);

    /// <summary>Starts a lease of <paramref name="length"/> on a fault this engine holds; returns when it runs out.</summary>
    public DateTimeOffset Grant(string faultId, TimeSpan length)
    {
        var lease = new Lease(length, timeProvider.GetUtcNow() + length);
        lease.Timer = timeProvider.CreateTimer(_ => _ = ExpireAsync(faultId), null, length, Timeout.InfiniteTimeSpan);
        _leases[faultId] = lease;
        return lease.Expires;
    }

    /// <summary>Extends a lease by its length from now; null when the fault has no lease or is gone.</summary>
    public DateTimeOffset? Renew(string faultId)
    {
        if (!_leases.TryGetValue(faultId, out var lease))
        {
            return null;
        }

        if (faults.ActiveFaults.All(f => f.FaultId != faultId))
        {
            Forget(faultId);
            return null;
        }

        lease.Expires = timeProvider.GetUtcNow() + lease.Length;
        lease.Timer?.Change(lease.Length, Timeout.InfiniteTimeSpan);
        return lease.Expires;
    }

    /// <summary>When a fault's lease runs out, or null without one.</summary>
    public DateTimeOffset? ExpiresAt(string faultId) => _leases.TryGetValue(faultId, out var lease) ? lease.Expires : null;

    private async Task ExpireAsync(string faultId)
    {
        if (Forget(faultId))
        {
            await faults.RemoveFaultAsync(faultId, RemovalReason.LeaseExpired).ConfigureAwait(false);
        }
    }

    private bool Forget(string faultId)
    {
        if (!_leases.TryRemove(faultId, out var lease))
        {
            return false;
        }

        lease.Timer?.Dispose();
        return true;
    }

    /// <summary>Stops every lease's timer, without removing the faults they guarded.</summary>
    public void Dispose()
    {
        foreach (var id in _leases.Keys.ToList())
        {
            Forget(id);
        }
    }

    private sealed class Lease(TimeSpan length, DateTimeOffset expires)
    {
        public TimeSpan Length { get; } = length;

        public DateTimeOffset Expires { get; set; } = expires;

        public ITimer? Timer { get; set; }
    }
}
