using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Bev.Chaos.Configuration;
using Bev.Chaos.Faults;

namespace Bev.Chaos.Agents;

/// <summary>The controller's side of one agent's HTTP API (bearer token, short timeouts).</summary>
internal sealed class AgentClient : IDisposable
{
    private readonly AgentDefinition _agent;
    private readonly HttpClient _http;

    public AgentClient(AgentDefinition agent, HttpMessageHandler? handler = null)
    {
        _agent = agent;
        _http = new HttpClient(handler ?? new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(2) }, disposeHandler: handler is null)
        {
            BaseAddress = agent.Url,
            Timeout = TimeSpan.FromSeconds(10),
        };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", agent.Token);
    }

    /// <summary>Injects <paramref name="request"/> (its target is the agent's own) with a lease; returns the agent's fault id.</summary>
    /// <exception cref="ChaosValidationException">The agent refused it, could not be reached, or refused our token; nothing was applied.</exception>
    public async Task<string> InjectAsync(string target, FaultRequest request, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["injector_name"] = request.Injector,
            ["target_service"] = request.Target,
            ["lease_seconds"] = _agent.Lease.TotalSeconds,
        };
        if (request.Profile is not null)
        {
            body["profile_name"] = request.Profile;
        }

        if (request.Duration is { } duration)
        {
            body["duration_seconds"] = duration.TotalSeconds;
        }

        if (request.Parameters is { Count: > 0 } parameters)
        {
            body["parameters"] = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(parameters));
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.PostAsync("faults", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new ChaosValidationException("target_service", target, $"a reachable agent ({_agent.Name} at {_agent.Url}: {(ex is TaskCanceledException ? "no answer" : ex.Message)})");
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            var json = TryParse(text);
            if (response.StatusCode == HttpStatusCode.Created)
            {
                return json?["fault_id"]?.GetValue<string>() ?? throw new ChaosValidationException("target_service", target, $"an agent that answers with a fault id ({_agent.Name} said: {text})");
            }

            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                throw new ChaosValidationException("target_service", target, $"an agent that accepts this controller's token ({_agent.Name} at {_agent.Url} answered {(int)response.StatusCode}: check agents.{_agent.Name}.token)");
            }

            var field = json?["field"]?.GetValue<string>();
            var allowed = json?["allowed"]?.GetValue<string>();
            var error = json?["error"]?.GetValue<string>() ?? text;
            throw new ChaosValidationException(field ?? "target_service", field is null ? target : null, $"{allowed ?? error} (agent {_agent.Name} answered {(int)response.StatusCode}: {error})");
        }
    }

    /// <summary>Renews a fault's lease; false when the agent no longer holds it.</summary>
    /// <exception cref="HttpRequestException">The agent could not be reached.</exception>
    public async Task<bool> RenewAsync(string faultId, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsync($"faults/{Uri.EscapeDataString(faultId)}/lease", null, cancellationToken).ConfigureAwait(false);
        return response.StatusCode == HttpStatusCode.OK ? true
            : response.StatusCode == HttpStatusCode.NotFound ? false
            : throw new HttpRequestException($"agent {_agent.Name} answered {(int)response.StatusCode} to a lease renewal");
    }

    public async Task<bool> RemoveAsync(string faultId, CancellationToken cancellationToken)
    {
        using var response = await _http.DeleteAsync($"faults/{Uri.EscapeDataString(faultId)}", cancellationToken).ConfigureAwait(false);
        return response.IsSuccessStatusCode;
    }

    /// <summary>The agent's emergency stop; returns how many faults it removed.</summary>
    public async Task<int> EmergencyStopAsync(CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsync("emergency-stop", null, cancellationToken).ConfigureAwait(false);
        var json = TryParse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));

        // The controller's own safety lock governs new faults; the agent's is released so that a
        // controller released later can use it again.
        using var release = await _http.DeleteAsync("emergency-stop", cancellationToken).ConfigureAwait(false);
        return int.TryParse(json?["faults_removed"]?.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var removed) ? removed : 0;
    }

    private static JsonNode? TryParse(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    public void Dispose() => _http.Dispose();
}
