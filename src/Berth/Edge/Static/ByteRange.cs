namespace Berth.Edge.Static;

/// <summary>What a <c>Range</c> header asks of a representation of known length.</summary>
internal enum RangeOutcome
{
    /// <summary>Send the whole representation with 200: no Range, a unit other than bytes, bad syntax, or
    /// several ranges (see <see cref="ByteRange.Parse"/>).</summary>
    Ignore,

    /// <summary>Send the one range with 206 and Content-Range.</summary>
    Satisfiable,

    /// <summary>Send 416 with <c>Content-Range: bytes */length</c>.</summary>
    Unsatisfiable,
}

/// <summary>One satisfiable byte range, already clipped to the representation: <c>Start</c> is the first
/// byte sent and <c>Length</c> how many follow (always at least one).</summary>
internal readonly record struct ByteRange(long Start, long Length)
{
    public long End => Start + Length - 1;

    /// <summary>Reads a <c>Range</c> field (RFC 9110 §14.1.2) against a representation of
    /// <paramref name="length"/> bytes:
    /// <code>
    ///   bytes=0-499    first 500 bytes
    ///   bytes=500-     from byte 500 to the end
    ///   bytes=-500     last 500 bytes (all of them if the representation is shorter)
    /// </code>
    /// Several ranges in one request are answered with the whole representation and 200, which RFC 9110
    /// §14.2 allows ("a server MAY ignore the Range header field"). nginx would send multipart/byteranges;
    /// browsers and download managers ask for one range at a time, and refusing to assemble many small
    /// overlapping parts keeps the range amplification of CVE-2011-3192 ("Apache Killer") off the table.
    /// An empty representation has nothing to slice, so its Range is ignored too.</summary>
    public static RangeOutcome Parse(ReadOnlySpan<char> field, long length, out ByteRange range)
    {
        range = default;
        const string Unit = "bytes=";
        if (length <= 0 || !field.StartsWith(Unit, StringComparison.OrdinalIgnoreCase))
        {
            return RangeOutcome.Ignore;
        }

        ReadOnlySpan<char> set = field[Unit.Length..];
        ReadOnlySpan<char> only = default;
        int members = 0;
        foreach (Range memberRange in set.Split(','))
        {
            ReadOnlySpan<char> member = set[memberRange].Trim(" \t");
            if (member.IsEmpty)
            {
                continue; // RFC 9110 §5.6.1: empty list elements do not count
            }

            if (++members > 1)
            {
                return RangeOutcome.Ignore;
            }

            only = member;
        }

        return members == 0 ? RangeOutcome.Ignore : ParseOne(only, length, out range);
    }

    private static RangeOutcome ParseOne(ReadOnlySpan<char> spec, long length, out ByteRange range)
    {
        range = default;
        int dash = spec.IndexOf('-');
        if (dash < 0)
        {
            return RangeOutcome.Ignore;
        }

        ReadOnlySpan<char> first = spec[..dash];
        ReadOnlySpan<char> last = spec[(dash + 1)..];

        if (first.IsEmpty)
        {
            // suffix-range: "-n", the last n bytes. A suffix longer than long.MaxValue is simply "all of it".
            if (!TryReadDigits(last, out long suffix, out bool suffixOverflow))
            {
                return RangeOutcome.Ignore;
            }

            if (!suffixOverflow && suffix == 0)
            {
                return RangeOutcome.Unsatisfiable;
            }

            long start = suffixOverflow ? 0 : Math.Max(0, length - suffix);
            range = new ByteRange(start, length - start);
            return RangeOutcome.Satisfiable;
        }

        if (!TryReadDigits(first, out long from, out bool fromOverflow))
        {
            return RangeOutcome.Ignore;
        }

        long to = long.MaxValue;
        bool toOverflow = false;
        if (!last.IsEmpty && !TryReadDigits(last, out to, out toOverflow))
        {
            return RangeOutcome.Ignore;
        }

        if (!last.IsEmpty && !toOverflow && (fromOverflow || to < from))
        {
            return RangeOutcome.Ignore; // "bytes=5-2" is invalid syntax, not an unsatisfiable range (§14.1.1)
        }

        if (fromOverflow || from >= length)
        {
            return RangeOutcome.Unsatisfiable;
        }

        long end = toOverflow ? length - 1 : Math.Min(to, length - 1);
        range = new ByteRange(from, end - from + 1);
        return RangeOutcome.Satisfiable;
    }

    private static bool TryReadDigits(ReadOnlySpan<char> digits, out long value, out bool overflow)
    {
        value = 0;
        overflow = false;
        if (digits.IsEmpty)
        {
            return false;
        }

        foreach (char c in digits)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            if (!overflow && value > (long.MaxValue - (c - '0')) / 10)
            {
                overflow = true;
            }

            if (!overflow)
            {
                value = (value * 10) + (c - '0');
            }
        }

        return true;
    }
}
