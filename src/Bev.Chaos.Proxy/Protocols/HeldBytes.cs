using System.Buffers;

namespace Bev.Chaos.Proxy.Protocols;

/// <summary>
/// The start of a message not yet complete, kept from one read to the next. Pooled; a big one is
/// given back once emptied, so an idle connection holds little.
/// </summary>
internal sealed class HeldBytes
{
    private const int KeepAtMost = 64 * 1024;

    private byte[] _buffer = [];

    public int Length { get; private set; }

    /// <summary>What to parse: <paramref name="data"/> alone when nothing is held, else the held bytes with it appended.</summary>
    public ReadOnlyMemory<byte> With(ReadOnlyMemory<byte> data)
    {
        if (Length == 0)
        {
            return data;
        }

        Append(data.Span);
        return _buffer.AsMemory(0, Length);
    }

    /// <summary>Keeps <paramref name="input"/> from <paramref name="pos"/> on (what <see cref="With"/> returned, parsed up to there).</summary>
    public void KeepFrom(ReadOnlyMemory<byte> input, int pos)
    {
        var rest = input.Span[pos..];
        if (Length > 0)
        {
            // The input is the held buffer itself: move the rest to its front.
            rest.CopyTo(_buffer);
            Length = rest.Length;
        }
        else if (!rest.IsEmpty)
        {
            Append(rest);
        }

        if (Length == 0 && _buffer.Length > KeepAtMost)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }

    public void Clear() => KeepFrom(ReadOnlyMemory<byte>.Empty, 0);

    private void Append(ReadOnlySpan<byte> data)
    {
        if (_buffer.Length - Length < data.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(Length + data.Length, _buffer.Length * 2));
            _buffer.AsSpan(0, Length).CopyTo(bigger);
            if (_buffer.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
            }

            _buffer = bigger;
        }

        data.CopyTo(_buffer.AsSpan(Length));
        Length += data.Length;
    }
}
