using System.Globalization;

namespace Bev.Chaos.Persistence;

/// <summary>One mutating API call: who, what, when, and how it ended.</summary>
public sealed record AuditEntry(DateTimeOffset Time, string Who, string Action, int Status);

/// <summary>The audit log in the store: every mutating call to the API.</summary>
public sealed class AuditLog(ChaosStore store)
{
    /// <summary>Records one call; returns once the entry is durable in the store.</summary>
    public Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken) =>
        store.WriteAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO audit (time, who, action, status) VALUES ($time, $who, $action, $status)";
            command.Parameters.AddWithValue("$time", entry.Time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            command.Parameters.AddWithValue("$who", entry.Who);
            command.Parameters.AddWithValue("$action", entry.Action);
            command.Parameters.AddWithValue("$status", entry.Status);
            return command.ExecuteNonQuery();
        }, cancellationToken);

    /// <summary>The newest entries first: <paramref name="limit"/> of them after skipping <paramref name="offset"/>.</summary>
    public Task<IReadOnlyList<AuditEntry>> ListAsync(int limit, CancellationToken cancellationToken, int offset = 0) =>
        store.ReadPageAsync(
            "SELECT time, who, action, status FROM audit ORDER BY id DESC LIMIT $limit OFFSET $offset",
            limit,
            offset,
            row => new AuditEntry(DateTimeOffset.Parse(row.GetString(0), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind), row.GetString(1), row.GetString(2), row.GetInt32(3)),
            cancellationToken);
}
