using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Bev.Chaos.Cli;

/// <summary>Talks to a running <c>bev-chaos serve</c> for the commands given <c>--server URL</c>.</summary>
internal sealed class ServerClient : IDisposable
{
    private readonly HttpClient _http;

    private ServerClient(Uri server, string? token)
    {
        _http = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromSeconds(30) };
        if (!string.IsNullOrEmpty(token))
        {
            _http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }
    }

    /// <summary>A client for <c>--server</c>, or null without one; the token is <c>--token</c>, else <c>$BEV_CHAOS_TOKEN</c>.</summary>
    public static ServerClient? From(string? url, string? token = null) =>
        url is null ? null
        : Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? new ServerClient(uri, token ?? Environment.GetEnvironmentVariable("BEV_CHAOS_TOKEN"))
        : throw new ChaosValidationException("--server", url, "an http:// URL of a bev-chaos server, e.g. http://127.0.0.1:8080");

    /// <summary>Sends a request; a 4xx becomes invalid input (exit 2) with the server's field and reason.</summary>
    public async Task<JsonNode?> SendAsync(HttpMethod method, string path, JsonObject? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new InvalidOperationException($"no bev-chaos server answers at {_http.BaseAddress}: {ex.Message}", ex);
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            JsonNode? json;
            try
            {
                json = text.Length == 0 ? null : JsonNode.Parse(text);
            }
            catch (JsonException)
            {
                json = null;
            }

            if (response.StatusCode is System.Net.HttpStatusCode.Unauthorized or System.Net.HttpStatusCode.Forbidden)
            {
                throw new ChaosValidationException("--token", null, $"{json?["error"]?.ToString() ?? response.ReasonPhrase}: pass the server's bearer token with --token or BEV_CHAOS_TOKEN");
            }

            if ((int)response.StatusCode is >= 400 and < 500 && response.StatusCode != System.Net.HttpStatusCode.Conflict)
            {
                throw new ChaosValidationException(json?["field"]?.ToString() ?? "(request)", null, json?["error"]?.ToString() ?? response.ReasonPhrase ?? "a valid request");
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"the server refused: {json?["error"] ?? response.ReasonPhrase}");
            }

            return json;
        }
    }

    public void Dispose() => _http.Dispose();
}
