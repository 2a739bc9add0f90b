namespace Bev.Chaos.Proxy.Protocols.Redis;

/// <summary>
/// One command the client sent: its name upper-cased and its arguments (the name first). The
/// arguments of a multibulk command are slices of the bytes being parsed, valid only while the
/// session handles it.
/// </summary>
internal sealed class RedisCommand
{
    public string Name { get; private set; } = string.Empty;

    public List<ReadOnlyMemory<byte>> Arguments { get; } = [];

    /// <summary>Sets <see cref="Name"/> from the first argument (command names are ASCII and case-insensitive).</summary>
    public void NameFromFirstArgument()
    {
        var first = Arguments[0].Span;
        Name = first.Length > 64 ? string.Empty : System.Text.Encoding.ASCII.GetString(first).ToUpperInvariant();
    }

    /// <summary>The second word, upper-cased (subcommands such as <c>CLIENT REPLY</c>), or empty.</summary>
    public string Word(int index) => Arguments.Count > index && Arguments[index].Length <= 64
        ? System.Text.Encoding.ASCII.GetString(Arguments[index].Span).ToUpperInvariant()
        : string.Empty;
}
