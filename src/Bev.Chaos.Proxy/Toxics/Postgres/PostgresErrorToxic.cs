namespace Bev.Chaos.Proxy.Toxics.Postgres;

/// <summary>
/// <c>postgres_error</c>: a matching query fails with an ErrorResponse of <c>sqlstate</c> and
/// <c>message</c>. The server is made to fail it for real (it gets a statement that cannot run in
/// its place), so its session state — an aborted transaction, the rest of an extended batch
/// skipped until Sync — is exactly that of a real error; the proxy swaps the server's error for this one.
/// </summary>
internal sealed class PostgresErrorToxic(ToxicDefinition definition) : PostgresToxic(definition)
{
    public string SqlState { get; } = definition.Text(PostgresToxicConstants.SqlState) ?? PostgresToxicConstants.DefaultSqlState;

    public string Message { get; } = definition.Text(PostgresToxicConstants.Message) ?? PostgresToxicConstants.DefaultMessage;

    /// <summary>FATAL closes the connection after the error, as PostgreSQL does.</summary>
    public bool Fatal { get; } = definition.Text(PostgresToxicConstants.Severity) == "FATAL";
}
