using System.Globalization;
using Microsoft.Extensions.Primitives;

namespace Berth.Edge.Static;

/// <summary>Reads <c>Accept-Encoding</c> (RFC 9110 §12.5.3) well enough to pick a precompressed sidecar.</summary>
internal static class AcceptEncoding
{
    /// <summary>The quality the client gives <paramref name="coding"/>, from 0 (not acceptable) to 1. A coding
    /// named explicitly wins over <c>*</c>, so <c>br;q=0, *</c> refuses br. No header at all, or a member
    /// that cannot be read, counts as "not acceptable": identity is always safe to send.</summary>
    public static double Quality(StringValues fieldLines, string coding)
    {
        double named = -1;
        double wildcard = -1;
        foreach (string? line in fieldLines)
        {
            ReadOnlySpan<char> list = line;
            foreach (Range memberRange in list.Split(','))
            {
                ReadOnlySpan<char> member = list[memberRange];
                int semicolon = member.IndexOf(';');
                ReadOnlySpan<char> name = (semicolon < 0 ? member : member[..semicolon]).Trim(" \t");
                if (name.IsEmpty || !TryReadQuality(semicolon < 0 ? [] : member[(semicolon + 1)..], out double q))
                {
                    continue;
                }

                if (Names(name, coding))
                {
                    named = Math.Max(named, q);
                }
                else if (name is "*")
                {
                    wildcard = Math.Max(wildcard, q);
                }
            }
        }

        return named >= 0 ? named : Math.Max(wildcard, 0);
    }

    // RFC 9110 §8.4.1.3: "x-gzip" is an alias recipients should treat as "gzip".
    private static bool Names(ReadOnlySpan<char> name, string coding) =>
        name.Equals(coding, StringComparison.OrdinalIgnoreCase)
        || (coding == "gzip" && name.Equals("x-gzip", StringComparison.OrdinalIgnoreCase));

    private static bool TryReadQuality(ReadOnlySpan<char> parameters, out double quality)
    {
        quality = 1;
        foreach (Range parameterRange in parameters.Split(';'))
        {
            ReadOnlySpan<char> parameter = parameters[parameterRange].Trim(" \t");
            int equals = parameter.IndexOf('=');
            if (equals < 0 || !parameter[..equals].TrimEnd(" \t").Equals("q", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!double.TryParse(parameter[(equals + 1)..].Trim(" \t"), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out quality)
                || quality > 1)
            {
                return false;
            }
        }

        return true;
    }
}
