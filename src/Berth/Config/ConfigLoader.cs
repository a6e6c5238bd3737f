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
        var file = new SourceSpan(path, 0);
        string text;
        try
        {
            text = File.ReadAllText(fullPath);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return ConfigResult.Failed([new ConfigError(file, "", $"no such file ({fullPath})",
                "pass the right path with --config, or create it: docs/berth.example.yml documents every setting")]);
        }
        catch (UnauthorizedAccessException)
        {
            return ConfigResult.Failed([new ConfigError(file, "", "cannot be read: permission denied", "make it readable by the user berth runs as")]);
        }
        catch (IOException e)
        {
            return ConfigResult.Failed([new ConfigError(file, "", $"cannot be read: {e.Message}", "check that the path names a file, not a directory")]);
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
