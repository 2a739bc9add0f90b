namespace Bev.Chaos.Proxy.Protocols.Postgres;

/// <summary>
/// An error the session injected: the server was sent a stand-in naming <see cref="Marker"/>, and
/// the server's error for it, in the reply to batch <see cref="Batch"/>, is swapped for <see cref="Reply"/>.
/// </summary>
internal sealed record PostgresInjection(long Batch, byte[] Marker, byte[] Reply, bool Fatal);
