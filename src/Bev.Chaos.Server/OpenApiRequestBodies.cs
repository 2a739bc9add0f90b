using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Bev.Chaos.Server;

/// <summary>
/// The request bodies of <c>POST /faults</c> and <c>POST /experiments</c> in the OpenAPI document.
/// The endpoints read their bodies strictly by hand (<see cref="RequestReader"/>), so ASP.NET cannot
/// infer a schema; these say the same fields, in the one vocabulary (injector_name, target_service,
/// profile_name, parameters, duration_seconds), with the short spellings as documented aliases.
/// </summary>
internal static class OpenApiRequestBodies
{
    /// <summary>Adds the body schema to the operations that take one.</summary>
    public static Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var schema = (context.Description.HttpMethod, context.Description.RelativePath) switch
        {
            ("POST", "faults") => Fault(withLease: true),
            ("POST", "experiments") => Experiment(),
            _ => null,
        };
        if (schema is not null)
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = schema } },
            };
        }

        return Task.CompletedTask;
    }

    private static OpenApiSchema Fault(bool withLease)
    {
        var properties = new Dictionary<string, IOpenApiSchema>
        {
            ["injector_name"] = Text("The fault type (bev-chaos faults --injectors lists them and their parameters). Alias: injector."),
            ["target_service"] = Text("A catalog service, or pid:N, name:P, docker:C, agent:A/T. Alias: target."),
            ["profile_name"] = Text("A named profile of the fault type (e.g. network_delay_light). Alias: profile."),
            ["parameters"] = new OpenApiSchema { Type = JsonSchemaType.Object, Description = "The fault type's parameters, by name (they override the profile's)." },
            ["duration_seconds"] = Number("How long the fault stays before it removes itself. Alias: duration."),

            // The short spellings, accepted everywhere alike: listed so that a client checking its
            // bodies against this schema does not refuse what the server takes.
            ["injector"] = Alias(Text("Alias of injector_name.")),
            ["target"] = Alias(Text("Alias of target_service.")),
            ["profile"] = Alias(Text("Alias of profile_name.")),
            ["duration"] = Alias(Number("Alias of duration_seconds.")),
        };
        if (withLease)
        {
            properties["lease_seconds"] = Number("An agent's lease (1–600): the fault is removed when it is not renewed in time.");
        }
        else
        {
            properties["offset_seconds"] = Number("When the fault is injected, from the start of the injection phase.");
        }

        return new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Properties = properties,
            Required = new HashSet<string> { "injector_name", "target_service" },
            AdditionalPropertiesAllowed = false,
        };
    }

    private static OpenApiSchema Experiment() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "An experiment: faults as in POST /faults, or a built-in scenario by name.",
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["name"] = Text("The experiment's name."),
            ["description"] = Text("What it tests."),
            ["scenario"] = Text("A built-in or loaded scenario to run instead of fault_injections."),
            ["time_scale"] = Number("Shortens (below 1) every phase of the scenario."),
            ["safety_level"] = Text("low, medium, high or critical."),
            ["target_services"] = new OpenApiSchema { Type = JsonSchemaType.Array, Items = Text("A service."), Description = "The experiment's boundary: a fault outside it is refused." },
            ["fault_injections"] = new OpenApiSchema { Type = JsonSchemaType.Array, Items = Fault(withLease: false) },
            ["steady_state_probes"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Array,
                Items = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Description = "An http probe: url, or target (a service whose catalog health_url is requested; without one, its processes are checked).",
                    Properties = new Dictionary<string, IOpenApiSchema> { ["name"] = Text("The probe's name."), ["url"] = Text("An absolute http:// URL."), ["target"] = Text("A catalog service or an ad-hoc target (pid:N, name:P, docker:C), instead of url.") },
                },
            },
            ["baseline_seconds"] = Number("The baseline phase."),
            ["recovery_window_seconds"] = Number("How long recovery may take."),
            ["validation_seconds"] = Number("The validation phase."),
            ["probe_interval_seconds"] = Number("Time between probe rounds (0.05–60)."),
            ["max_percent"] = Number("The share of a target's processes a fault may touch (1–100)."),
            ["timeout_seconds"] = Number("The whole experiment's limit."),
        },
        AdditionalPropertiesAllowed = false,
    };

    private static OpenApiSchema Alias(OpenApiSchema schema)
    {
        schema.Deprecated = true;
        return schema;
    }

    private static OpenApiSchema Text(string description) => new() { Type = JsonSchemaType.String, Description = description };

    private static OpenApiSchema Number(string description) => new() { Type = JsonSchemaType.Number, Description = description };
}
