using System.Text.RegularExpressions;

namespace Berth.Deploy.Progress;

/// <summary>
/// A line of remote output made fit to draw: pip, apt and git paint progress bars with carriage returns and
/// colour with ANSI escapes, which would tear the live view apart (and fill CI logs with redraws). What the
/// terminal would finally show is kept: the text after the last <c>\r</c>, without escapes or control characters.
/// </summary>
public static partial class RemoteLine
{
    // CSI sequences (colours, cursor moves) and the two-character escapes.
    [GeneratedRegex(@"\x1b(\[[0-9;?]*[ -/]*[@-~]|[@-Z\\-_])")]
    private static partial Regex Escape();

    public static string Clean(string line)
    {
        string last = line.TrimEnd('\r');
        last = last[(last.LastIndexOf('\r') + 1)..];
        last = Escape().Replace(last, "");
        return string.Concat(last.Where(c => !char.IsControl(c) || c == '\t')).Replace('\t', ' ');
    }

    /// <summary><paramref name="line"/> cut to <paramref name="width"/> characters, with … when cut.</summary>
    public static string Fit(string line, int width) =>
        width > 1 && line.Length > width ? line[..(width - 1)] + "…" : line;
}
