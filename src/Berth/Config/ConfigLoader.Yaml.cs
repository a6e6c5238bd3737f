using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Berth.Config;

public static partial class ConfigLoader
{
    private const string SyntaxFix =
        "check the indentation and quoting on this line and the one above it; quote a value that contains \": \" or \" #\", " +
        "or that starts with one of * & ! [ { % @ `";

    /// <summary>The root node of the one YAML document in <paramref name="text"/>, or null when the file is empty
    /// or cannot be parsed (then <paramref name="errors"/> says where).</summary>
    private static YamlNode? ReadYaml(string text, string file, List<ConfigError> errors)
    {
        var parser = new DuplicateKeyGuard(new Parser(new StringReader(text)));
        var stream = new YamlStream();
        try
        {
            stream.Load(parser);
        }
        catch (YamlException e)
        {
            if (!ReportTabs(text, file, errors))
            {
                errors.Add(new ConfigError(new SourceSpan(file, (int)e.Start.Line), "", $"not valid YAML: {LowerFirst(e.Message)}", SyntaxFix));
            }

            return null;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet 16.3 throws this rather than a YamlException for some unclosed flow collections
            // (`listen: [":8000"` with no `]`); the last event it read is on the line where the trouble starts.
            if (!ReportTabs(text, file, errors))
            {
                int line = (int)(parser.Current?.Start.Line ?? 1);
                errors.Add(new ConfigError(new SourceSpan(file, line), "", "not valid YAML: a [ or { is not closed", SyntaxFix));
            }

            return null;
        }

        if (stream.Documents.Count > 1)
        {
            errors.Add(new ConfigError(new SourceSpan(file, (int)stream.Documents[1].RootNode.Start.Line), "",
                "holds more than one YAML document (a line of --- starts a new one)", "keep one document: berth reads one configuration per file"));
            return null;
        }

        return stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode;
    }

    /// <summary>YAML forbids tabs in indentation, and YamlDotNet blames the enclosing block rather than the
    /// tab's own line, so look for them ourselves once parsing has failed.</summary>
    private static bool ReportTabs(string text, string file, List<ConfigError> errors)
    {
        bool found = false;
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            ReadOnlySpan<char> line = lines[i];
            int indent = line.IndexOfAnyExcept(' ', '\t');
            if ((indent < 0 ? line : line[..indent]).Contains('\t'))
            {
                errors.Add(new ConfigError(new SourceSpan(file, i + 1), "", "indents with a tab", "indent with spaces only; YAML does not allow tabs there"));
                found = true;
            }
        }

        return found;
    }

    private static string LowerFirst(string message) =>
        message.Length > 1 && char.IsUpper(message[0]) && !char.IsUpper(message[1]) ? char.ToLowerInvariant(message[0]) + message[1..] : message;
}
