using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;

namespace Bev.Chaos.Server;

/// <summary>
/// Answers a few reads through the server's own listener before it says it is up, so that the first
/// request a user sends does not pay for what every first request pays: building the routing table
/// and every endpoint's request delegate, the JSON serializer's metadata, the OpenAPI document's
/// generation, the store's first read connection (bench/RESULTS.md: a first request took 200–300 ms).
/// Only reads, so nothing is audited or changed; the request-duration metric skips them (they come
/// from the one connection this class opens, recognised by its port).
/// </summary>
internal sealed class StartupWarmUp
{
    private static readonly string[] Paths = ["/health", "/status", "/faults", "/openapi.json"];
    private volatile int _port;

    /// <summary>True for a request that came over the warm-up's own connection.</summary>
    public bool IsWarmUp(HttpContext context) =>
        _port != 0 && context.Connection.RemotePort == _port && context.Connection.RemoteIpAddress is { } ip && IPAddress.IsLoopback(ip);

    /// <summary>GETs each warmed path once over loopback; failures only mean a slower first request, never a failed start.</summary>
    public async Task RunAsync(Uri bound, string? bearerToken, CancellationToken cancellationToken)
    {
        var port = bound.Port;
        using var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            MaxConnectionsPerServer = 1,
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                    _port = ((IPEndPoint)socket.LocalEndPoint!).Port;
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), ct).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        using var client = new HttpClient(handler) { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(10) };
        if (bearerToken is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
        }

        try
        {
            foreach (var path in Paths)
            {
                using var response = await client.GetAsync(path, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or SocketException or OperationCanceledException)
        {
            // A listener that cannot be reached from loopback (bound elsewhere only): no warm-up, same answers.
        }
        finally
        {
            _port = 0;
        }
    }
}
