using System.Text;
using Bev.Chaos.Proxy.Protocols.Http;

namespace Bev.Chaos.Proxy.Toxics.Http;

/// <summary>
/// <c>http_abort</c>: a matching request never reaches the upstream. The proxy answers it with
/// <c>status</c>, <c>headers</c> and <c>body</c> in its turn among the connection's responses, or,
/// with <c>reset</c>, ends the connection with a TCP RST.
/// </summary>
internal sealed class HttpAbortToxic(ToxicDefinition definition) : HttpToxic(definition)
{
    private readonly int _status = (int)definition.Attribute(HttpToxicConstants.Status, HttpToxicConstants.DefaultAbortStatus);
    private readonly byte[] _body = Encoding.UTF8.GetBytes(definition.Text(HttpToxicConstants.Body) ?? string.Empty);
    private readonly IReadOnlyList<KeyValuePair<string, string>> _headers = definition.Map(HttpToxicConstants.Headers) is { } set ? [.. set.Where(h => h.Value is not null).Select(h => KeyValuePair.Create(h.Key, h.Value!))] : [];

    /// <summary>Whether the connection is reset instead of answered.</summary>
    public bool Reset { get; } = definition.Attribute(HttpToxicConstants.Reset) == 1;

    /// <summary>The response as sent for <paramref name="request"/>; with <paramref name="close"/> it says <c>Connection: close</c>.</summary>
    public byte[] Response(HttpHead request, bool close)
    {
        var headers = new List<KeyValuePair<string, string>>(_headers);
        if (_body.Length > 0 && !headers.Any(h => h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)))
        {
            headers.Add(KeyValuePair.Create("Content-Type", "text/plain; charset=utf-8"));
        }

        if (close)
        {
            headers.RemoveAll(h => h.Key.Equals("Connection", StringComparison.OrdinalIgnoreCase));
            headers.Add(KeyValuePair.Create("Connection", "close"));
        }

        return HttpHead.Response(_status, headers, request.Method == "HEAD" ? [] : _body, _body.Length);
    }
}
