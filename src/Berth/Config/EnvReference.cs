using System.Text.RegularExpressions;

namespace Berth.Config;

/// <summary><c>${NAME}</c> references in a value: the shell's and docker compose's form, NAME being
/// an environment variable name (letters, digits, underscores, not starting with a digit).</summary>
public static partial class EnvReference
{
    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex Reference();

    public static IReadOnlyList<string> Names(string text) =>
        Reference().Matches(text).Select(m => m.Groups[1].Value).ToList();

    /// <summary><paramref name="text"/> with each reference replaced by <paramref name="lookup"/>'s value.</summary>
    public static string Expand(string text, Func<string, string> lookup) =>
        Reference().Replace(text, m => lookup(m.Groups[1].Value));

    /// <summary>Whether <paramref name="name"/> could be written inside <c>${…}</c>.</summary>
    public static bool IsName(string name) => Name().IsMatch(name);

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex Name();
}
