using System.Text;

namespace Bev.Chaos.Proxy.Toxics.Redis;

/// <summary>
/// <c>redis_error</c>: a matching command is answered with the <c>error</c> line instead of
/// reaching Redis (inside <c>MULTI</c> the transaction is then aborted at <c>EXEC</c>, as Redis
/// aborts one whose command was refused while queueing).
/// </summary>
internal sealed class RedisErrorToxic(ToxicDefinition definition) : RedisToxic(definition)
{
    /// <summary>The error line without its leading '-' and CRLF.</summary>
    public string Error { get; } = definition.Text(RedisToxicConstants.Error) ?? RedisToxicConstants.DefaultError;

    /// <summary>The reply as sent: <c>-ERROR\r\n</c>.</summary>
    public byte[] Reply { get; } = Encoding.UTF8.GetBytes("-" + (definition.Text(RedisToxicConstants.Error) ?? RedisToxicConstants.DefaultError) + "\r\n");
}
