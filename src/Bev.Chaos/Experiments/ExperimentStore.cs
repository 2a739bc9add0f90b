using System.Globalization;
using System.Text.Json;
using Bev.Chaos.Persistence;

namespace Bev.Chaos.Experiments;

/// <summary>Experiment results in the store, as JSON, so history survives restarts.</summary>
public sealed class ExperimentStore(ChaosStore store)
{
    /// <summary>snake_case JSON, enums as text: the shape users read.</summary>
    public static readonly JsonSerializerOptions Json = ChaosJson.Indented;

    /// <summary>Saves a finished experiment's <paramref name="result"/>, replacing one saved under the same id.</summary>
    public Task SaveAsync(ExperimentResult result, CancellationToken cancellationToken) =>
        store.WriteAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "INSERT OR REPLACE INTO experiments (experiment_id, name, verdict, started_at, ended_at, result) VALUES ($id, $name, $verdict, $started, $ended, $result)";
            command.Parameters.AddWithValue("$id", result.ExperimentId);
            command.Parameters.AddWithValue("$name", result.Name);
            command.Parameters.AddWithValue("$verdict", result.Verdict.ToString().ToLowerInvariant());
            command.Parameters.AddWithValue("$started", result.Started.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            command.Parameters.AddWithValue("$ended", result.Ended.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            command.Parameters.AddWithValue("$result", JsonSerializer.Serialize(result, Json));
            return command.ExecuteNonQuery();
        }, cancellationToken);

    /// <summary>One finished experiment's result as stored (JSON), or null when there is none by that id.</summary>
    public Task<string?> GetJsonAsync(string experimentId, CancellationToken cancellationToken) =>
        store.ReadAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT result FROM experiments WHERE experiment_id = $id";
            command.Parameters.AddWithValue("$id", experimentId);
            return command.ExecuteScalar() as string;
        }, cancellationToken);

    /// <summary>Finished experiments' results, newest first: <paramref name="limit"/> of them after skipping <paramref name="offset"/>.</summary>
    public Task<IReadOnlyList<string>> ListJsonAsync(int limit, CancellationToken cancellationToken, int offset = 0) =>
        store.ReadPageAsync("SELECT result FROM experiments ORDER BY started_at DESC LIMIT $limit OFFSET $offset", limit, offset, row => row.GetString(0), cancellationToken);
}
