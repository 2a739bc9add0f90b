using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bev.Chaos.Proxy.Protocols.Http;

namespace Bev.Chaos.Proxy.Toxics.Http;

/// <summary>
/// <c>http_replace</c>: a matching request's response comes back changed: its <c>status</c>, the
/// <c>headers</c> set (those given null removed, as are <c>remove_headers</c>), its body replaced by <c>body</c> or
/// merged with <c>json_patch</c> (a JSON merge patch, RFC 7396). A changed body is sent with a Content-Length of its own.
/// </summary>
internal sealed class HttpReplaceToxic(ToxicDefinition definition) : HttpToxic(definition)
{
    private readonly int? _status = definition.Attributes.TryGetValue(HttpToxicConstants.Status, out var status) ? (int)status : null;
    private readonly byte[]? _body = definition.Text(HttpToxicConstants.Body) is { } body ? Encoding.UTF8.GetBytes(body) : null;
    // The patch as text: parsed for each use, as a JsonObject is not safe to read from many connections at once.
    private readonly string? _merge = definition.Text(HttpToxicConstants.JsonPatch);
    private readonly IReadOnlyList<KeyValuePair<string, string>> _set = definition.Map(HttpToxicConstants.Headers) is { } set ? [.. set.Where(h => h.Value is not null).Select(h => KeyValuePair.Create(h.Key, h.Value!))] : [];

    // remove_headers, and the headers given a null value.
    private readonly IReadOnlyList<string> _remove = [.. definition.List(HttpToxicConstants.RemoveHeaders) ?? [], .. (definition.Map(HttpToxicConstants.Headers) ?? []).Where(h => h.Value is null).Select(h => h.Key)];

    /// <summary>Whether the toxic needs the response's body (so the session must hold it whole): to change it, or to drop it for a status that has none.</summary>
    public bool ChangesBody => _body is not null || _merge is not null || _status is (>= 100 and < 200) or 204 or 304;

    /// <summary>
    /// The changed response. <paramref name="body"/> is the decoded body when the response had one
    /// (null for a response that has none, such as one to HEAD or a 304: its framing headers are kept).
    /// </summary>
    public byte[] Rewrite(HttpHead response, byte[]? body)
    {
        var headers = response.Headers.Where(h => !_remove.Contains(h.Key, StringComparer.OrdinalIgnoreCase) && !_set.Any(s => s.Key.Equals(h.Key, StringComparison.OrdinalIgnoreCase))).ToList();
        headers.AddRange(_set);
        var code = _status ?? response.Status;
        if (body is null)
        {
            return HttpHead.Response(code, headers, [], null);
        }

        headers.RemoveAll(h => h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) || h.Key.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase));
        var encoded = response.Header("Content-Encoding") is { } coding && !coding.Equals("identity", StringComparison.OrdinalIgnoreCase);
        if (_body is not null)
        {
            body = _body;
            if (encoded)
            {
                headers.RemoveAll(h => h.Key.Equals("Content-Encoding", StringComparison.OrdinalIgnoreCase));
            }
        }
        else if (_merge is not null && !encoded)
        {
            body = Merge(body);
        }

        return HttpHead.Response(code, headers, body, body.Length);
    }

    /// <summary>RFC 7396 merge of the toxic's patch into a JSON body; a body that is not a JSON object stays as it was.</summary>
    private byte[] Merge(byte[] body)
    {
        try
        {
            if (JsonNode.Parse(body) is not JsonObject document)
            {
                return body;
            }

            Apply(document, (JsonObject)JsonNode.Parse(_merge!)!);
            return Encoding.UTF8.GetBytes(document.ToJsonString());
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidOperationException)
        {
            // Not JSON, or JSON System.Text.Json will not hold (a duplicate member): left as it came.
            return body;
        }
    }

    private static void Apply(JsonObject target, JsonObject patch)
    {
        foreach (var (name, value) in patch)
        {
            if (value is null)
            {
                target.Remove(name);
            }
            else if (value is JsonObject inner)
            {
                if (target[name] is not JsonObject existing)
                {
                    existing = [];
                    target[name] = existing;
                }

                Apply(existing, inner);
            }
            else
            {
                target[name] = value.DeepClone();
            }
        }
    }
}
