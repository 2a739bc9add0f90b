namespace Bev.Chaos.Proxy.Protocols.Redis;

/// <summary>
/// Redis' glob (<c>KEYS</c>, <c>SCAN MATCH</c>): <c>*</c>, <c>?</c>, <c>[abc]</c>, <c>[^a]</c>,
/// <c>[a-z]</c> and <c>\x</c>, on bytes (keys are binary), case-sensitive.
/// </summary>
internal static class RedisGlob
{
    public static bool IsMatch(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> text)
    {
        // Iterative with one backtrack point for the last '*': linear for the usual patterns and
        // never exponential, whatever a user gives.
        int p = 0, t = 0, starP = -1, starT = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                starP = p++;
                starT = t;
                continue;
            }

            if (p < pattern.Length && MatchOne(pattern, ref p, text[t]))
            {
                t++;
                continue;
            }

            if (starP < 0)
            {
                return false;
            }

            p = starP + 1;
            t = ++starT;
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    /// <summary>Whether the pattern element at <paramref name="p"/> matches <paramref name="c"/>; on a match, moves past it.</summary>
    private static bool MatchOne(ReadOnlySpan<byte> pattern, ref int p, byte c)
    {
        switch (pattern[p])
        {
            case (byte)'?':
                p++;
                return true;
            case (byte)'\\' when p + 1 < pattern.Length:
                if (pattern[p + 1] != c)
                {
                    return false;
                }

                p += 2;
                return true;
            case (byte)'[':
                var i = p + 1;
                var negate = i < pattern.Length && pattern[i] == '^';
                if (negate)
                {
                    i++;
                }

                var matched = false;
                while (i < pattern.Length && pattern[i] != ']')
                {
                    if (pattern[i] == '\\' && i + 1 < pattern.Length)
                    {
                        matched |= pattern[i + 1] == c;
                        i += 2;
                    }
                    else if (i + 2 < pattern.Length && pattern[i + 1] == '-' && pattern[i + 2] != ']')
                    {
                        var (low, high) = pattern[i] <= pattern[i + 2] ? (pattern[i], pattern[i + 2]) : (pattern[i + 2], pattern[i]);
                        matched |= c >= low && c <= high;
                        i += 3;
                    }
                    else
                    {
                        matched |= pattern[i] == c;
                        i++;
                    }
                }

                if (matched == negate)
                {
                    return false;
                }

                // An unclosed '[' ends the pattern, as in Redis.
                p = i < pattern.Length ? i + 1 : i;
                return true;
            default:
                if (pattern[p] != c)
                {
                    return false;
                }

                p++;
                return true;
        }
    }
}
