using Berth.Deploy.Notify;

namespace Berth.Config;

/// <summary>An app's <c>env_file:</c>, read when its workers first start and again on every reload, so a deploy's
/// new shared/.env reaches the next workers without a restart.</summary>
public static class AppEnvironmentFile
{
    private static readonly IReadOnlyDictionary<string, string> None = new Dictionary<string, string>();

    /// <summary>The variables in <paramref name="path"/>, or why they cannot be read (null then means nothing was).</summary>
    public static string? Read(string path, out IReadOnlyDictionary<string, string> variables)
    {
        variables = None;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            if (EnvFile.Parse(File.ReadLines(path), values) is { } problem)
            {
                return $"env file {path}: {problem}";
            }
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return $"env file {path} does not exist";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"env file {path} cannot be read: {e.Message}";
        }

        variables = values;
        return null;
    }
}
