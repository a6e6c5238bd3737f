namespace Berth.Config;

/// <summary>
/// Finds the name a typo was meant to be: the closest candidate within two edits (a swap of neighbours counts
/// as one, so <c>wokrers</c> → <c>workers</c>), else one that the typo starts or is the start of
/// (<c>work</c> → <c>workers</c>). Case and <c>-</c>/<c>_</c> are ignored, so <c>max-body-size</c> finds
/// <c>max_body_size</c>.
/// </summary>
public static class DidYouMean
{
    private const int MaxEdits = 2;
    private const int MinPrefix = 3;

    public static string? Find(string given, IEnumerable<string> candidates)
    {
        string typo = Normalize(given);
        string? best = null;
        int bestDistance = int.MaxValue;
        string? byPrefix = null;
        foreach (string candidate in candidates)
        {
            string name = Normalize(candidate);
            int distance = Distance(typo, name);
            // Within two edits of a two-letter word is every other two-letter word: demand fewer edits than letters.
            if (distance <= MaxEdits && distance < typo.Length && distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }

            if (byPrefix is null && Math.Min(typo.Length, name.Length) >= MinPrefix
                && (name.StartsWith(typo, StringComparison.Ordinal) || typo.StartsWith(name, StringComparison.Ordinal)))
            {
                byPrefix = candidate;
            }
        }

        return best ?? byPrefix;
    }

    public static string Normalize(string name) => name.Trim().ToLowerInvariant().Replace('-', '_');

    /// <summary>Optimal string alignment distance: Levenshtein plus transposition of two adjacent letters.</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (int j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
