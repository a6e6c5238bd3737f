namespace Berth.Edge.Static;

/// <summary>Recognises file names that carry a content hash, which bundlers and asset pipelines write so a
/// name never changes meaning and can be cached for a year:
/// <code>
///   app.3f9a1c.js  chunk.8e3f2a1b9c.min.js  base.5af66c1b1797.css   (webpack, Parcel, Django's manifest storage)
///   main-4f2a9b7c.css  index-BxH3k9aQ.js  application-0f2e9a1b.css  (Rollup/Vite, esbuild, Rails)
/// </code>
/// A false positive is expensive (browsers keep a stale file for a year and no reload fixes it); a false
/// negative costs one cheap 304 revalidation. So the rules lean strict: a hash must mix letters and
/// digits, which keeps words ("facade", "decade"), dates ("20240101") and names like "my-component" out,
/// at the price of missing the few hashes that happen to be all letters or all digits (they get no-cache).</summary>
internal static class Fingerprint
{
    private const int MinHexLength = 6;
    private const int MinBaseLength = 8;

    /// <summary>True when <paramref name="fileName"/> (the last URL segment) has a hash segment between
    /// dots (<c>name.HASH.ext</c>, <c>name.HASH.min.ext</c>) or after a dash (<c>name-HASH.ext</c>).</summary>
    public static bool IsFingerprinted(ReadOnlySpan<char> fileName)
    {
        int extension = fileName.LastIndexOf('.');
        if (extension <= 0)
        {
            return false; // the hash sits before an extension; "3f9a1c2b" alone is just a name
        }

        ReadOnlySpan<char> stem = fileName[..extension];
        bool first = true;
        foreach (Range range in stem.Split('.'))
        {
            ReadOnlySpan<char> segment = stem[range];
            if (!first && IsHash(segment))
            {
                return true;
            }

            int dash = segment.LastIndexOf('-');
            if (dash >= 0 && IsHash(segment[(dash + 1)..]))
            {
                return true;
            }

            first = false;
        }

        return false;
    }

    // Hex (webpack, Parcel, Django, Rails): 6+ hex digits with at least one digit and one letter.
    // Base64/base32 (Rollup, Vite, esbuild): 8+ of [A-Za-z0-9_] with a digit and an upper-case letter;
    // asset names people type are lower-case ("webm2mp4", "polyfill2024"), generated hashes are not.
    private static bool IsHash(ReadOnlySpan<char> segment)
    {
        if (segment.Length < MinHexLength)
        {
            return false;
        }

        bool hex = true;
        bool digit = false;
        bool letter = false;
        bool upper = false;
        foreach (char c in segment)
        {
            if (char.IsAsciiDigit(c))
            {
                digit = true;
            }
            else if (char.IsAsciiLetter(c))
            {
                letter = true;
                upper |= char.IsAsciiLetterUpper(c);
                hex &= char.IsAsciiHexDigit(c);
            }
            else if (c == '_')
            {
                hex = false;
            }
            else
            {
                return false;
            }
        }

        return digit && letter && (hex || (upper && segment.Length >= MinBaseLength));
    }
}
