using System.Text.Json;

namespace Bev.Chaos.Cli;

/// <summary>Machine-readable output: the one wire format, indented (<see cref="ChaosJson.Indented"/>).</summary>
internal static class JsonOutput
{
    public static readonly JsonSerializerOptions Options = ChaosJson.Indented;

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);
}
