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
    IReadOnlyDictionary<string, long>? Measurements)
{
    /// <summary>The view of one journal entry.</summary>
    public static FaultView Of(JournalEntry e, FaultInjectionManager faults) => new(
        e.FaultId, e.Injector, e.Target, e.Profile, e.State, e.ParametersJson, e.CreatedAt, e.ExpiresAt, e.Owner.Pid,
        e.RemovalReason, e.Error, faults.MeasurementsOf(e.FaultId));

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
