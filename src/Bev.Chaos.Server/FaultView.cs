using System.Text.Json;
using System.Text.Json.Serialization;
using Bev.Chaos.Faults;
using Bev.Chaos.Faults.Journal;

namespace Bev.Chaos.Server;

/// <summary>
/// A fault as <c>GET /faults</c> and <c>GET /faults/{id}</c> answer it: its journal entry, with the
/// counts of what it did when this engine holds it. The parameters are the journal's JSON as
/// stored, written as they are after a validating read (no document is built): parsing them into a
/// document again for each fault of each listing was most of the listing's cost (bench/RESULTS.md).
/// </summary>
internal sealed record FaultView(
    string FaultId,
    string InjectorName,
    string TargetService,
    string? ProfileName,
    FaultState State,
    [property: JsonConverter(typeof(FaultView.RawJson))] string Parameters,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    int OwnerPid,
    string? RemovalReason,
    string? Error,
    IReadOnlyDictionary<string, long>? Measurements,
    string? Mechanism,
    string? MechanismReason)
{
    /// <summary>The view of one journal entry.</summary>
    public static FaultView Of(JournalEntry e, FaultInjectionManager faults)
    {
        var mechanism = MechanismOf(e.UndoJson);
        return new(
            e.FaultId, e.Injector, e.Target, e.Profile, e.State, e.ParametersJson, e.CreatedAt, e.ExpiresAt, e.Owner.Pid,
            e.RemovalReason, e.Error, faults.MeasurementsOf(e.FaultId), mechanism, mechanism is null ? null : WhyChosen(e, mechanism, faults));
    }

    // A network fault's recipe names the mechanism that acts (proxy or kernel); other recipes name none.
    private static string? MechanismOf(string undoJson)
    {
        if (!undoJson.Contains("\"mechanism\"", StringComparison.Ordinal))
        {
            return null;
        }

        using var recipe = JsonDocument.Parse(undoJson);
        return recipe.RootElement.ValueKind == JsonValueKind.Object && recipe.RootElement.TryGetProperty("mechanism", out var name) && name.ValueKind == JsonValueKind.String
            ? name.GetString()
            : null;
    }

    // Where the proxy and the kernel could both serve, the user is told which acts and why. The
    // choice was made once (NetworkFaultInjector) from the request and the catalog; this says which rule made it.
    private static string WhyChosen(JournalEntry e, string mechanism, FaultInjectionManager faults)
    {
        if (e.ParametersJson.Contains("\"mechanism\"", StringComparison.Ordinal))
        {
            return "asked for (parameters.mechanism)";
        }

        var offered = faults.Injectors.TryGetValue(e.Injector, out var injector) ? injector.Parameters.FirstOrDefault(p => p.Name == "mechanism")?.AllowedValues : null;
        return offered is { Count: 1 } ? $"the only mechanism of {e.Injector}"
            : mechanism == "proxy" ? "the target has proxied dependencies in the catalog: their proxy carries the fault (mechanism: kernel acts in its network namespace instead)"
            : "the target has no proxied dependencies in the catalog, which the proxy needs: the kernel carries the fault in its network namespace";
    }

    /// <summary>Writes a string that already holds JSON as that JSON; text that is not JSON fails the answer rather than corrupt it.</summary>
    internal sealed class RawJson : JsonConverter<string>
    {
        /// <inheritdoc/>
        public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            JsonDocument.ParseValue(ref reader).RootElement.GetRawText();

        /// <inheritdoc/>
        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) =>
            writer.WriteRawValue(value, skipInputValidation: false);
    }
}
