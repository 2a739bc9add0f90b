using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bev.Chaos.Server;

/// <summary>snake_case JSON with enums as lower-case text.</summary>
internal static class ServerJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };
}
