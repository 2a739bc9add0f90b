using System.Text.Json;
using System.Text.Json.Nodes;
using Bev.Chaos.Experiments;
using Bev.Chaos.Faults;
using Bev.Chaos.Faults.Journal;
using Bev.Chaos.Persistence;
using Bev.Chaos.Proxy;
using Bev.Chaos.Safety;
using Bev.Chaos.Scenarios;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Bev.Chaos.Server;

/// <summary>The chaos HTTP API (ARCHITECTURE.md): endpoints translate HTTP to <see cref="ChaosEngine"/> calls and nothing more.</summary>
public static class ChaosApi
{
    /// <summary>Maps the API with the default options (faults without a lease unless the request asks for one).</summary>
    public static IEndpointRouteBuilder MapChaosApi(this IEndpointRouteBuilder app, ChaosEngine engine, ScenarioLibrary library) => app.MapChaosApi(engine, library, new ChaosServerOptions());

    /// <summary>Maps the API; <paramref name="options"/> gives e.g. the lease of faults whose request names none.</summary>
    public static IEndpointRouteBuilder MapChaosApi(this IEndpointRouteBuilder app, ChaosEngine engine, ScenarioLibrary library, ChaosServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        app.MapGet("/health", () => Results.Json(new { status = "ok", service = "bev-chaos" }, ServerJson.Options));

        var summaries = new CoalescedRead<StoreSummary>(() => engine.Journal.ReadSummaryAsync(CancellationToken.None));
        app.MapGet("/status", async (CancellationToken ct) =>
        {
            var summary = await summaries.ReadAsync(ct);
            return Results.Json(new
            {
                active_experiments = engine.Engineer.Running.Select(Run),
                active_faults = summary.OpenFaults,
                safety = new { lock_engaged = summary.LockReason is not null, reason = summary.LockReason, since = summary.LockSince },
                integrations = new
                {
                    auto_recovery_url = engine.Configuration.Integration.AutoRecoveryUrl,
                    health_monitor_url = engine.Configuration.Integration.HealthMonitorUrl,
                    proxies = engine.Proxies.All.Select(p => new { p.Name, p.Listen, p.Upstream, p.Enabled, Protocol = p.Protocol.Name() }),
                },
            }, ServerJson.Options);
        });

        app.MapGet("/faults", async (CancellationToken ct) => Results.Json(
            (await engine.Journal.ListOpenAsync(ct)).Select(e => (object)FaultView.Of(e, engine.Faults)).Concat((engine.Agents?.Faults ?? []).Select(RemoteFault)), ServerJson.Options));
        app.MapGet("/faults/{id}", async (string id, CancellationToken ct) =>
            await engine.Journal.GetAsync(id, ct) is { } entry ? Results.Json(FaultView.Of(entry, engine.Faults), ServerJson.Options) : ApiError.NotFound("fault", id));

        // What can be injected where: the fault types with their parameters and profiles, and the
        // catalog's targets with their proxied dependencies (the dashboard's inject form reads both).
        app.MapGet("/injectors", () => Results.Json(engine.Faults.Injectors.Values.OrderBy(i => i.Name, StringComparer.Ordinal).Select(InjectorSummary.Of), ServerJson.Options));
        app.MapGet("/targets", () => Results.Json(engine.Configuration.Targets.Values.OrderBy(t => t.Name, StringComparer.Ordinal).Select(t => new
        {
            name = t.Name,
            @protected = t.Protected,
            port = t.Port,
            health_url = t.HealthUrl,
            proxies = t.Proxies.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new { name = p.Key, listen = p.Value.Listen, upstream = p.Value.Upstream, protocol = p.Value.Protocol }),
        }), ServerJson.Options));
        app.MapPost("/faults", (HttpRequest request) => HandleAsync(async ct =>
        {
            var body = await RequestReader.ObjectAsync(request, ct);
            var fault = RequestReader.Fault(body);
            var lease = RequestReader.Lease(body) ?? options.DefaultFaultLease;
            var id = await engine.Faults.InjectFaultAsync(fault, ct);
            var leaseExpires = lease is { } length ? engine.Leases.Grant(id, length) : (DateTimeOffset?)null;
            return Results.Json(new { fault_id = id, lease_expires_at = leaseExpires }, ServerJson.Options, statusCode: StatusCodes.Status201Created);
        }, request.HttpContext.RequestAborted));

        // An agent's dead-man switch: the controller renews each fault's lease, or the fault goes.
        app.MapPost("/faults/{id}/lease", (string id) =>
            engine.Leases.Renew(id) is { } expires ? Results.Json(new { fault_id = id, lease_expires_at = expires }, ServerJson.Options) : ApiError.NotFound("fault lease", id));
        app.MapPost("/agents/heartbeat", (HttpRequest request) => HandleAsync(async ct =>
        {
            var body = await RequestReader.ObjectAsync(request, ct);
            var (name, url) = RequestReader.Heartbeat(body);
            if (engine.Agents is null)
            {
                return ApiError.NotFound("agent", name);
            }

            engine.Agents.Heartbeat(name, url);
            return Results.Json(new { name, known = engine.Configuration.Agents.ContainsKey(name) }, ServerJson.Options);
        }, request.HttpContext.RequestAborted));
        app.MapGet("/agents", () => Results.Json(engine.Configuration.Agents.Values.Select(a => new
        {
            a.Name,
            url = a.Url,
            lease_seconds = a.Lease.TotalSeconds,
            last_heartbeat = engine.Agents?.Heartbeats.TryGetValue(a.Name, out var seen) == true ? seen.Seen : (DateTimeOffset?)null,
            faults = engine.Agents?.Faults.Count(f => f.Agent == a.Name) ?? 0,
        }), ServerJson.Options));
        app.MapDelete("/faults/{id}", (string id) => HandleAsync(async ct =>
            await engine.Faults.RemoveFaultAsync(id, ct) ? Results.Json(new { fault_id = id, removed = true }, ServerJson.Options) : ApiError.NotFound("fault", id), CancellationToken.None));

        app.MapGet("/experiments", (HttpRequest request, CancellationToken ct) => QueryReader.HandleAsync(async () =>
        {
            var limit = QueryReader.Int(request, "limit", 50, 1, 500);
            var offset = QueryReader.Int(request, "offset", 0, 0, int.MaxValue);
            var history = await engine.Experiments.ListJsonAsync(limit, ct, offset);
            return Results.Json(new
            {
                running = engine.Engineer.Running.Select(Run),
                finished = history.Select(h => JsonNode.Parse(h)),
            }, ServerJson.Options);
        }));
        app.MapPost("/experiments", (HttpRequest request) => HandleAsync(async ct =>
        {
            var (scenario, scale, config) = RequestReader.Experiment(await RequestReader.ObjectAsync(request, ct));
            config ??= library.GetScenario(scenario!) is { } found ? ScenarioCompiler.Compile(found, scale) : throw new ChaosValidationException("scenario", scenario, "one of " + string.Join(", ", library.Scenarios.Select(s => s.Name)));
            var run = engine.Engineer.StartExperiment(config, CancellationToken.None);
            return Results.Json(new { experiment_id = run.Id, status = run.Status }, ServerJson.Options, statusCode: StatusCodes.Status202Accepted);
        }, request.HttpContext.RequestAborted));
        app.MapGet("/experiments/{id}", async (string id, CancellationToken ct) =>
        {
            if (engine.Engineer.GetRun(id) is { } run)
            {
                return Results.Json(Run(run), ServerJson.Options);
            }

            // By its id: any finished experiment, not only the newest few hundred.
            return await engine.Experiments.GetJsonAsync(id, ct) is { } stored
                ? Results.Text(stored, "application/json; charset=utf-8")
                : ApiError.NotFound("experiment", id);
        });
        app.MapPost("/experiments/{id}/stop", (string id) =>
            engine.Engineer.Stop(id, "stopped through the API") ? Results.Json(new { experiment_id = id, stopping = true }, ServerJson.Options) : ApiError.NotFound("experiment", id));
        app.MapPost("/experiments/{id}/approve", (string id) =>
            engine.Engineer.Approve(id) ? Results.Json(new { experiment_id = id, approved = true }, ServerJson.Options)
            : engine.Engineer.GetRun(id) is null ? ApiError.NotFound("experiment", id)
            : ApiError.Status(StatusCodes.Status409Conflict, $"experiment '{id}' is not awaiting approval", "experiment_id"));

        app.MapGet("/scenarios", () => Results.Json(library.Scenarios.Select(s => new { s.Name, s.Description, s.Category, s.Complexity, s.SafetyLevel, s.TargetServices }), ServerJson.Options));
        app.MapGet("/scenarios/{name}", (string name) =>
            library.GetScenario(name) is { } s ? Results.Json(s, ServerJson.Options) : ApiError.NotFound("scenario", name));
        app.MapGet("/suites", () => Results.Json(library.Suites, ServerJson.Options));

        app.MapPost("/emergency-stop", () => HandleAsync(async ct =>
        {
            var removed = await engine.Engineer.EmergencyStopAsync(ct);
            return Results.Json(new { faults_removed = removed, safety_lock_engaged = true }, ServerJson.Options);
        }, CancellationToken.None));
        app.MapDelete("/emergency-stop", () => HandleAsync(async ct =>
        {
            await engine.Engineer.ReleaseSafetyLockAsync(ct);
            return Results.Json(new { safety_lock_engaged = false }, ServerJson.Options);
        }, CancellationToken.None));
        return app;
    }

    private static object Run(ExperimentRun run) => new
    {
        experiment_id = run.Id,
        name = run.Config.Name,
        status = run.Status,
        started = run.Started,
        active_faults = run.ActiveFaultIds,
    };

    // A fault held on an agent under this controller's lease: the agent has the details.
    private static object RemoteFault(Bev.Chaos.Agents.AgentRelay.RemoteFault f) => new
    {
        fault_id = f.FaultId,
        injector_name = f.Injector,
        target_service = f.Target,
        state = FaultState.Active,
        agent = f.Agent,
        agent_fault_id = f.AgentFaultId,
    };


    // Bad input is a 4xx with the field, never a 5xx: the engine's own exceptions map here.
    private static async Task<IResult> HandleAsync(Func<CancellationToken, Task<IResult>> action, CancellationToken cancellationToken)
    {
        try
        {
            return await action(cancellationToken).ConfigureAwait(false);
        }
        catch (ChaosValidationException ex)
        {
            return ApiError.From(ex);
        }
        catch (SafetyLockException ex)
        {
            return ApiError.Status(StatusCodes.Status409Conflict, ex.Message, "safety_lock");
        }
        catch (ExperimentRefusedException ex)
        {
            return ApiError.Status(StatusCodes.Status409Conflict, ex.Message);
        }
        catch (FeatureUnavailableException ex)
        {
            return ApiError.Status(StatusCodes.Status422UnprocessableEntity, "not possible on this machine: " + ex.Message);
        }
        catch (InvalidOperationException ex)
        {
            return ApiError.Status(StatusCodes.Status422UnprocessableEntity, ex.Message);
        }
        catch (BadHttpRequestException ex)
        {
            return ApiError.Status(ex.StatusCode, ex.Message, "(body)");
        }
    }
}
