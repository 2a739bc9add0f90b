using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bev.Chaos.Probes;
using YamlDotNet.RepresentationModel;

namespace Bev.Chaos.Experiments.ChaosToolkit;

/// <summary>Reads a Chaos Toolkit experiment (JSON or YAML) into a JSON tree, with configuration values resolved.</summary>
public static class ChaosToolkitDocument
{
    private static readonly Dictionary<string, string[]> ProviderKeys = new(StringComparer.Ordinal)
    {
        ["http"] = ["type", "url", "method", "headers", "arguments", "timeout", "verify_tls", "max_retries"],
        ["process"] = ["type", "path", "arguments", "timeout"],
    };

    private static readonly string[] TopLevel = ["version", "title", "description", "tags", "configuration", "secrets", "contributions", "steady-state-hypothesis", "method", "rollbacks", "extensions", "controls", "runtime"];

    /// <summary>Loads and checks an experiment file.</summary>
    /// <exception cref="ChaosValidationException">Every problem found.</exception>
    public static JsonObject Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new ChaosValidationException("EXPERIMENT", path, "an existing experiment.json or .yaml file");
        }

        var text = Bev.Chaos.Configuration.InputFile.ReadText(path, "EXPERIMENT");
        JsonNode? node;
        try
        {
            node = path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? JsonNode.Parse(text) : FromYaml(text, path);
        }
        catch (YamlDotNet.Core.YamlException ex)
        {
            // The same what-and-where as configuration and scenario files.
            throw new ChaosValidationException([Bev.Chaos.Configuration.YamlSection.SyntaxError(ex, text, path)]);
        }
        catch (JsonException ex)
        {
            throw new ChaosValidationException([new ValidationError("(document)", null, "a well-formed experiment: " + ex.Message, path)]);
        }

        if (node is not JsonObject experiment)
        {
            throw new ChaosValidationException([new ValidationError("(document)", null, "a JSON object with title and method", path)]);
        }

        var errors = new List<ValidationError>();
        foreach (var (key, _) in experiment)
        {
            if (!TopLevel.Contains(key))
            {
                errors.Add(new ValidationError(key, null, "a Chaos Toolkit key: " + string.Join(", ", TopLevel), path));
            }
        }

        if (experiment["title"] is null)
        {
            errors.Add(new ValidationError("title", null, "a title", path));
        }

        if (experiment["method"] is not JsonArray)
        {
            errors.Add(new ValidationError("method", experiment["method"]?.ToJsonString(), "a list of activities", path));
        }

        Refuse(experiment, errors, path);
        var configuration = ResolveConfiguration(experiment["configuration"] as JsonObject, errors, path);
        var resolved = Substitute(experiment, configuration);
        CheckActivities(resolved, errors, path);
        CheckTolerances(resolved, errors, path);
        return errors.Count > 0 ? throw new ChaosValidationException(errors) : (JsonObject)resolved;
    }

    private static Dictionary<string, string> ResolveConfiguration(JsonObject? configuration, List<ValidationError> errors, string path)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in configuration ?? [])
        {
            if (value is JsonObject { } other && other["type"]?.ToString() != "env")
            {
                errors.Add(new ValidationError($"configuration.{key}.type", other["type"]?.ToString(), "env (a value from an environment variable), or write the value inline (other configuration types, such as vault, are not supported)", path));
            }
            else if (value is JsonObject { } typed)
            {
                var name = typed["key"]?.GetValue<string>() ?? string.Empty;
                var env = Environment.GetEnvironmentVariable(name);
                if (env is not null)
                {
                    values[key] = env;
                }
                else if (typed["default"] is { } fallback)
                {
                    values[key] = Scalar(fallback);
                }
                else
                {
                    errors.Add(new ValidationError($"configuration.{key}", name, "an environment variable that is set (or a default)", path));
                }
            }
            else if (value is not null)
            {
                values[key] = Scalar(value);
            }
        }

        return values;
    }

    private static JsonNode Substitute(JsonNode node, IReadOnlyDictionary<string, string> configuration) => node switch
    {
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(p.Key, p.Value is null ? null : Substitute(p.Value, configuration)))),
        JsonArray a => new JsonArray(a.Select(i => i is null ? null : Substitute(i, configuration)).ToArray()),
        JsonValue v when v.TryGetValue<string>(out var s) => JsonValue.Create(Replace(s, configuration)),
        _ => node.DeepClone(),
    };

    private static string Replace(string text, IReadOnlyDictionary<string, string> configuration)
    {
        foreach (var (key, value) in configuration)
        {
            text = text.Replace("${" + key + "}", value, StringComparison.Ordinal);
        }

        return text;
    }

    private static void CheckActivities(JsonNode experiment, List<ValidationError> errors, string path)
    {
        var activities = (experiment["method"] as JsonArray ?? []).Select((a, i) => (a, $"method[{i}]"))
            .Concat((experiment["rollbacks"] as JsonArray ?? []).Select((a, i) => (a, $"rollbacks[{i}]")))
            .Concat((experiment["steady-state-hypothesis"]?["probes"] as JsonArray ?? []).Select((a, i) => (a, $"steady-state-hypothesis.probes[{i}]")));
        foreach (var (activity, where) in activities)
        {
            if (activity?["ref"] is not null)
            {
                continue;
            }

            var type = activity?["provider"]?["type"]?.GetValue<string>();
            if (activity?["controls"] is not null)
            {
                errors.Add(new ValidationError($"{where}.controls", Shown(activity["controls"]), "no controls (Chaos Toolkit controls are Python modules, which BEV Chaos does not run)", path));
            }

            if (activity?["background"] is JsonValue background && background.GetValueKind() == JsonValueKind.True)
            {
                errors.Add(new ValidationError($"{where}.background", "true", "false or absent (background activities are not supported: activities run one after another)", path));
            }

            if (type == "python")
            {
                errors.Add(new ValidationError($"{where}.provider.type", type, "http or process (the python provider runs Python functions, which BEV Chaos does not; call the same thing through an http endpoint or a process)", path));
            }
            else if (type is not ("http" or "process"))
            {
                errors.Add(new ValidationError($"{where}.provider.type", type, "http or process (the supported subset)", path));
            }
            else if (type == "http" && activity?["provider"]?["url"] is null)
            {
                errors.Add(new ValidationError($"{where}.provider.url", null, "a URL", path));
            }
            else if (type == "http" && activity?["provider"]?["verify_tls"] is JsonValue verify && verify.GetValueKind() == JsonValueKind.False)
            {
                errors.Add(new ValidationError($"{where}.provider.verify_tls", "false", "true or absent (TLS certificates are always verified)", path));
            }
            else if (type == "http" && activity?["provider"]?["max_retries"] is { } retries
                && !(retries is JsonValue number && number.GetValueKind() == JsonValueKind.Number && int.TryParse(number.ToJsonString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var count) && count is >= 0 and <= 10))
            {
                errors.Add(new ValidationError($"{where}.provider.max_retries", retries.ToJsonString(), "a whole number from 0 to 10", path));
            }
            else if (type == "process" && activity?["provider"]?["path"] is null)
            {
                errors.Add(new ValidationError($"{where}.provider.path", null, "a program path", path));
            }

            // A provider option that is not implemented is refused by name, never ignored.
            if (activity?["provider"] is JsonObject provider && ProviderKeys.TryGetValue(type ?? string.Empty, out var known))
            {
                foreach (var (key, value) in provider.Where(p => !known.Contains(p.Key)))
                {
                    errors.Add(new ValidationError($"{where}.provider.{key}", value?.ToJsonString() ?? "null", $"an option this provider has here: {string.Join(", ", known)}", path));
                }
            }
        }
    }

    // The refused block as written, cut short: the message shows what was found, not "missing".
    private static string Shown(JsonNode? node)
    {
        var text = node?.ToJsonString() ?? "null";
        return text.Length <= 60 ? text : text[..59] + "…";
    }

    // Parts of Chaos Toolkit that BEV Chaos does not implement: refused by name, never ignored.
    private static void Refuse(JsonObject experiment, List<ValidationError> errors, string path)
    {
        if (experiment["controls"] is JsonArray { Count: > 0 } or JsonObject)
        {
            errors.Add(new ValidationError("controls", Shown(experiment["controls"]), "no controls (Chaos Toolkit controls are Python modules, which BEV Chaos does not run)", path));
        }

        if (experiment["secrets"] is JsonObject { Count: > 0 })
        {
            errors.Add(new ValidationError("secrets", Shown(experiment["secrets"]), "no secrets (not supported: put the value in configuration, inline or as {\"type\": \"env\", \"key\": NAME})", path));
        }

        if (experiment["runtime"] is JsonObject { Count: > 0 })
        {
            errors.Add(new ValidationError("runtime", Shown(experiment["runtime"]), "no runtime block (strategies are not supported: the hypothesis runs before and after the method, rollbacks always run, as Chaos Toolkit's defaults)", path));
        }
    }

    // After substitution, so a pattern or path built from configuration is checked as it will run.
    private static void CheckTolerances(JsonNode experiment, List<ValidationError> errors, string path)
    {
        var probes = experiment["steady-state-hypothesis"]?["probes"] as JsonArray ?? [];
        for (var i = 0; i < probes.Count; i++)
        {
            if (probes[i] is JsonObject probe && probe["ref"] is null)
            {
                Tolerance.Validate(probe["tolerance"], probe["provider"]?["type"]?.ToString() ?? string.Empty, $"steady-state-hypothesis.probes[{i}].tolerance", path, errors);
            }
        }
    }

    internal static string Scalar(JsonNode node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : node.ToJsonString();

    private static JsonNode? FromYaml(string text, string path)
    {
        Bev.Chaos.Configuration.YamlDepth.Check(text, path);
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents.Count == 0 ? null : Convert(stream.Documents[0].RootNode);
    }

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode m => new JsonObject(m.Children.Select(c => KeyValuePair.Create(((YamlScalarNode)c.Key).Value ?? string.Empty, Convert(c.Value)))),
        YamlSequenceNode s => new JsonArray(s.Children.Select(Convert).ToArray()),
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.SingleQuoted or YamlDotNet.Core.ScalarStyle.DoubleQuoted } q => JsonValue.Create(q.Value),
        YamlScalarNode { Value: "true" or "false" } b => JsonValue.Create(b.Value == "true"),
        YamlScalarNode { Value: null or "null" or "~" } => null,
        YamlScalarNode n when long.TryParse(n.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) => JsonValue.Create(l),
        YamlScalarNode n when double.TryParse(n.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => JsonValue.Create(d),
        YamlScalarNode n => JsonValue.Create(n.Value),
        _ => null,
    };
}
