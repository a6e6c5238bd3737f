using System.Globalization;
using Microsoft.Extensions.Primitives;

namespace Berth.Edge.Static;

/// <summary>Entity tags as nginx makes them, and the two comparisons of RFC 9110 §8.8.3.2.</summary>
internal static class EntityTag
{
    /// <summary>nginx's strong ETag, <c>"&lt;mtime-hex&gt;-&lt;size-hex&gt;"</c>, computed from one stat and
    /// never stored. A precompressed variant gets its coding appended, so br and gzip stay distinct even in
    /// the unlikely case that both sidecars share a size and a second.</summary>
    public static string Create(FileFacts facts, string? contentCoding) =>
        contentCoding is null
            ? string.Create(CultureInfo.InvariantCulture, $"\"{facts.ModifiedUnixSeconds:x}-{facts.Length:x}\"")
            : string.Create(CultureInfo.InvariantCulture, $"\"{facts.ModifiedUnixSeconds:x}-{facts.Length:x}-{contentCoding}\"");

    /// <summary>True when any tag in an <c>If-None-Match</c> / <c>If-Match</c> list (every field line, comma
    /// separated, <c>*</c> allowed) matches our strong <paramref name="etag"/>. Weak comparison ignores the
    /// <c>W/</c> prefix (If-None-Match, §13.1.2); strong comparison lets no weak tag match (If-Match, §13.1.1).</summary>
    public static bool AnyMatches(StringValues fieldLines, string etag, bool weakComparison)
    {
        foreach (string? line in fieldLines)
        {
            if (line is not null && ListMatches(line, etag, weakComparison))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The strong comparison <c>If-Range</c> needs (§13.1.5): a weak tag never matches.</summary>
    public static bool StrongEquals(ReadOnlySpan<char> candidate, string etag) =>
        candidate.Trim(" \t").SequenceEqual(etag);

    private static bool ListMatches(ReadOnlySpan<char> list, string etag, bool weakComparison)
    {
        int i = 0;
        while (i < list.Length)
        {
            char c = list[i];
            if (c is ' ' or '\t' or ',')
            {
                i++;
                continue;
            }

            if (c == '*')
            {
                return true;
            }

            bool weak = list[i..].StartsWith("W/", StringComparison.Ordinal);
            int open = weak ? i + 2 : i;
            int close = open < list.Length && list[open] == '"' ? list[(open + 1)..].IndexOf('"') : -1;
            if (close < 0)
            {
                // Not an entity-tag (unquoted, or cut short). nginx compares the raw text and so never
                // matches these either; skip to the next list member instead of giving up on the rest.
                int comma = list[i..].IndexOf(',');
                if (comma < 0)
                {
                    return false;
                }

                i += comma + 1;
                continue;
            }

            ReadOnlySpan<char> opaque = list.Slice(open, close + 2);
            if ((weakComparison || !weak) && opaque.SequenceEqual(etag))
            {
                return true;
            }

            i = open + close + 2;
        }

        return false;
    }
}
