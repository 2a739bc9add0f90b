using System.Globalization;
using Bev.Chaos.Persistence;

namespace Bev.Chaos.Safety;

/// <summary>
/// The lock an emergency stop engages: while engaged, no new fault is injected by any bev-chaos
/// process on this data directory. It lives in the store so it holds across processes and restarts.
/// </summary>
public sealed class SafetyLock(ChaosStore store, TimeProvider timeProvider) : Faults.IInjectionLock
{
    /// <summary>The reason and time the lock was engaged, or null when released.</summary>
    public Task<(string Reason, DateTimeOffset Since)?> GetAsync(CancellationToken cancellationToken = default) =>
        store.ReadAsync<(string, DateTimeOffset)?>(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT reason, since FROM safety_lock WHERE id = 1";
            using var reader = command.ExecuteReader();
            return reader.Read()
                ? (reader.GetString(0), DateTimeOffset.Parse(reader.GetString(1), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind))
                : null;
        }, cancellationToken);

    /// <summary>Engages the lock for <paramref name="reason"/> from now; engaging it again replaces reason and time.</summary>
    public Task EngageAsync(string reason, CancellationToken cancellationToken = default) =>
        store.WriteAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "INSERT OR REPLACE INTO safety_lock (id, reason, since) VALUES (1, $reason, $since)";
            command.Parameters.AddWithValue("$reason", reason);
            command.Parameters.AddWithValue("$since", timeProvider.GetUtcNow().UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            return command.ExecuteNonQuery();
        }, cancellationToken);

    /// <summary>Releases the lock so faults may be injected again; nothing happens when it is not engaged.</summary>
    public Task ReleaseAsync(CancellationToken cancellationToken = default) =>
        store.WriteAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM safety_lock WHERE id = 1";
            return command.ExecuteNonQuery();
        }, cancellationToken);

    /// <summary>Throws <see cref="SafetyLockException"/> when engaged.</summary>
    public async Task ThrowIfEngagedAsync(CancellationToken cancellationToken)
    {
        if (await GetAsync(cancellationToken).ConfigureAwait(false) is { } engaged)
        {
            throw new SafetyLockException(engaged.Reason, engaged.Since);
        }
    }
}

/// <summary>A fault or experiment refused because the safety lock is engaged.</summary>
public sealed class SafetyLockException(string reason, DateTimeOffset since)
    : InvalidOperationException($"the safety lock is engaged ({reason}, since {since:yyyy-MM-dd HH:mm:ss} UTC): no new faults until it is released with 'bev-chaos emergency-stop --release'")
{
    /// <summary>Why the lock was engaged, e.g. <c>emergency stop</c>.</summary>
    public string Reason { get; } = reason;

    /// <summary>When it was engaged (UTC).</summary>
    public DateTimeOffset Since { get; } = since;
}
