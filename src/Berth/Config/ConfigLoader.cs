using YamlDotNet.RepresentationModel;

namespace Berth.Config;

/// <summary>
/// Reads berth.yml: YAML → records (<see cref="ConfigReader"/>) → the implicit site, if any
/// (<see cref="ImplicitSite"/>) → every validator (<see cref="ConfigValidators"/>). Every problem found on
/// the way is returned, each with its file:line and a fix, instead of stopping at the first.
/// </summary>
public static partial class ConfigLoader
{
    public static ConfigResult Load(string path)
    {
        string fullPath = Path.GetFullPath(path);
        if (ReadText(fullPath, new SourceSpan(path, 0), "pass the right path with --config, or create it: docs/berth.example.yml documents every setting", out string text) is { } error)
        {
            return ConfigResult.Failed([error]);
        }

        return Parse(text, path, Path.GetDirectoryName(fullPath)!, fullPath);
    }

    /// <param name="yamlText">The contents of the file.</param>
    /// <param name="fileName">What errors call the file (<c>berth.yml</c> in <c>berth.yml:12</c>).</param>
    /// <param name="baseDirectory">What relative paths in the file are relative to: the file's directory.</param>
    public static ConfigResult Parse(string yamlText, string fileName, string baseDirectory)
    {
        string directory = Path.TrimEndingDirectorySeparator(Path.GetFullPath(baseDirectory));
        return Parse(yamlText, fileName, directory, Path.Combine(directory, Path.GetFileName(fileName)));
    }

    /// <summary>The contents of the file at <paramref name="fullPath"/>, or why it cannot be read.</summary>
    private static ConfigError? ReadText(string fullPath, SourceSpan file, string missingFix, out string text)
    {
        text = "";
        try
        {
            text = File.ReadAllText(fullPath);
            return null;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return new ConfigError(file, "", $"no such file ({fullPath})", missingFix);
        }
        catch (UnauthorizedAccessException)
        {
            return new ConfigError(file, "", "cannot be read: permission denied", "make it readable by the user berth runs as");
        }
        catch (IOException e)
        {
            return new ConfigError(file, "", $"cannot be read: {e.Message}", "check that the path names a file, not a directory");
        }
    }

    private static ConfigResult Parse(string yamlText, string fileName, string baseDirectory, string fullPath)
    {
        var errors = new List<ConfigError>();
        YamlNode? root = ReadYaml(yamlText, fileName, errors);
        if (errors.Count > 0)
        {
            return ConfigResult.Failed(errors);
        }

        var reader = new ConfigReader(fileName, Path.TrimEndingDirectorySeparator(Path.GetFullPath(baseDirectory)));
        BerthConfig config = ImplicitSite.AddIfMissing(reader.Read(root, fullPath));
        return ConfigValidators.Check(config, reader.Errors);
    }
}
