using System.Text.Json;

namespace Bev.Chaos.Server;

/// <summary>The API's JSON: the one wire format, compact (<see cref="ChaosJson.Options"/>).</summary>
internal static class ServerJson
{
    public static readonly JsonSerializerOptions Options = ChaosJson.Options;
}
