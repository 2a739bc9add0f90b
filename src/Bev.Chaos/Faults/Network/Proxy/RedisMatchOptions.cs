using Bev.Chaos.Faults.Options;

namespace Bev.Chaos.Faults.Network.Proxy;

/// <summary>The Redis faults' command matchers: every one left out matches every command.</summary>
internal record RedisMatchOptions
{
    /// <summary>Only these commands, comma-separated.</summary>
    [FaultOption("commands", "Only these commands, comma-separated (GET,SET); default: every command.")]
    public string? Commands { get; init; }

    /// <summary>Only commands with a key matching this Redis glob.</summary>
    [FaultOption("key", "Only commands with a key matching this Redis glob (session:*).")]
    public string? Key { get; init; }
}
