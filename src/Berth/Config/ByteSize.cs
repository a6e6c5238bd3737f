using System.Globalization;

namespace Berth.Config;

/// <summary>
/// Sizes as nginx writes them (<c>client_max_body_size 10m</c>): a whole number of bytes, optionally followed by
/// k, M or G in either case, each 1024 times the one before. "10MB" and "1.5G" are refused rather than guessed
/// at: whether MB means 10⁶ or 2²⁰ is exactly the question a config file should not leave open.
/// </summary>
public static class ByteSize
{
    public const string Forms = "a size such as 512, 64k, 10M or 1G (k, M, G count in 1024s)";

    public static bool TryParse(string? text, out long bytes)
    {
        bytes = 0;
        ReadOnlySpan<char> s = text.AsSpan().Trim();
        if (s.IsEmpty)
        {
            return false;
        }

        int shift = char.ToLowerInvariant(s[^1]) switch { 'k' => 10, 'm' => 20, 'g' => 30, _ => 0 };
        if (shift > 0)
        {
            s = s[..^1];
        }

        if (s.IsEmpty || s.ContainsAnyExceptInRange('0', '9')
            || !long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out long count)
            || count > long.MaxValue >> shift)
        {
            return false;
        }

        bytes = count << shift;
        return true;
    }

    /// <summary>A size that is a whole number of megabytes (512M, 2G, 0), as <c>max_memory:</c> takes it. A size
    /// with a remainder is refused rather than rounded: it is almost always a bare number meant as megabytes, as
    /// uWSGI's <c>reload-on-rss = 512</c> is, which here would be 512 bytes.</summary>
    public static bool TryParseMegabytes(string? text, out long megabytes)
    {
        const long Megabyte = 1 << 20;
        megabytes = 0;
        if (!TryParse(text, out long bytes) || bytes % Megabyte != 0)
        {
            return false;
        }

        megabytes = bytes / Megabyte;
        return true;
    }

    /// <summary>The shortest exact spelling: 10485760 → "10M"; 1536 stays "1536", since sizes have no fractions.</summary>
    public static string Format(long bytes)
    {
        foreach ((int shift, char unit) in new[] { (30, 'G'), (20, 'M'), (10, 'k') })
        {
            long size = 1L << shift;
            if (bytes != 0 && bytes % size == 0)
            {
                return (bytes / size).ToString(CultureInfo.InvariantCulture) + unit;
            }
        }

        return bytes.ToString(CultureInfo.InvariantCulture);
    }
}
