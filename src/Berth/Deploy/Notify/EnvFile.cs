using Berth.Config;

namespace Berth.Deploy.Notify;

/// <summary>
/// The env file format docker compose and systemd's EnvironmentFile= read: NAME=value per line, <c>#</c>
/// comments, blank lines, an optional <c>export </c> prefix, and a value optionally in single or double
/// quotes (taken as is, without escapes, so a token with a # or a space survives).
/// </summary>
public static class EnvFile
{
    /// <summary>Adds each NAME=value of <paramref name="lines"/> to <paramref name="values"/>; returns the first
    /// line it could not read ("line 3 has no ="), or null.</summary>
    public static string? Parse(IEnumerable<string> lines, Dictionary<string, string> values)
    {
        int number = 0;
        foreach (string raw in lines)
        {
            number++;
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (line.StartsWith("export ", StringComparison.Ordinal))
            {
                line = line["export ".Length..].TrimStart();
            }

            int equals = line.IndexOf('=', StringComparison.Ordinal);
            string name = equals < 0 ? line : line[..equals].Trim();
            if (equals < 0 || !EnvReference.IsName(name))
            {
                return $"line {number} is not NAME=value";
            }

            string value = line[(equals + 1)..].Trim();
            if (value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[^1] == value[0])
            {
                value = value[1..^1];
            }

            values[name] = value;
        }

        return null;
    }
}
