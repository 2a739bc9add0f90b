using System.Net.WebSockets;
using System.Text.Json;
using Bev.Chaos.Events;
using Microsoft.AspNetCore.Http;

namespace Bev.Chaos.Server;

/// <summary>
/// <c>/ws</c>: every engine event as one JSON message (<c>type</c>, <c>time</c>, ids, details). Each
/// client has its own bounded queue that drops its oldest events, so a slow client never holds
/// up the engine.
/// </summary>
internal static class EventSocket
{
    public static async Task HandleAsync(HttpContext context, ChaosEventStream events)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsJsonAsync(new { error = "a WebSocket upgrade is expected at /ws", field = "(request)" }).ConfigureAwait(false);
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        using var subscription = events.Subscribe(capacity: 512);
        var closed = ReceiveUntilClosedAsync(socket, context.RequestAborted);
        try
        {
            await foreach (var e in subscription.Reader.ReadAllAsync(context.RequestAborted).ConfigureAwait(false))
            {
                var bytes = JsonSerializer.SerializeToUtf8Bytes(e, ServerJson.Options);
                await socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, context.RequestAborted).ConfigureAwait(false);
                if (closed.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
        }
    }

    private static async Task ReceiveUntilClosedAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[1024];
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var result = await socket.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", cancellationToken).ConfigureAwait(false);
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
        }
    }
}
