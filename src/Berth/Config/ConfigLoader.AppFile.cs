using YamlDotNet.RepresentationModel;

namespace Berth.Config;

public static partial class ConfigLoader
{
    /// <summary>
    /// Reads one file of apps_dir (<see cref="AppFile"/>) and checks it as a part of <paramref name="running"/>:
    /// berth.yml plus every other app file that passed. Errors name this file and line. A problem that
    /// <paramref name="running"/> has without it (a static directory of berth.yml removed since the start, say) is
    /// not this file's to fix, and is left out.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="fileName">What errors call the file: <c>apps.d/blog.yml</c> in <c>apps.d/blog.yml:3</c>.</param>
    /// <param name="running">What the app joins.</param>
    public static AppFileResult LoadAppFile(string path, string fileName, BerthConfig running)
    {
        string fullPath = Path.GetFullPath(path);
        if (ReadText(fullPath, new SourceSpan(fileName, 0), "it was removed while berth read it; nothing to do", out string text) is { } error)
        {
            return AppFileResult.Failed([error]);
        }

        return ParseAppFile(text, fileName, Path.GetDirectoryName(fullPath)!, fullPath, running);
    }

    /// <param name="yamlText">The contents of the file.</param>
    /// <param name="fileName">What errors call the file; the app is named after it (<c>apps.d/blog.yml</c> is <c>blog</c>).</param>
    /// <param name="baseDirectory">What relative paths in the file are relative to: the file's directory.</param>
    /// <param name="running">What the app joins: berth.yml plus the other app files.</param>
    public static AppFileResult ParseAppFile(string yamlText, string fileName, string baseDirectory, BerthConfig running)
    {
        string directory = Path.TrimEndingDirectorySeparator(Path.GetFullPath(baseDirectory));
        return ParseAppFile(yamlText, fileName, directory, Path.Combine(directory, Path.GetFileName(fileName)), running);
    }

    private static AppFileResult ParseAppFile(string yamlText, string fileName, string baseDirectory, string fullPath, BerthConfig running)
    {
        var errors = new List<ConfigError>();
        YamlNode? root = ReadYaml(yamlText, fileName, errors);
        if (errors.Count > 0)
        {
            return AppFileResult.Failed(errors);
        }

        var reader = new ConfigReader(fileName, baseDirectory);
        if (reader.ReadAppFile(root, Path.GetFileNameWithoutExtension(fileName), fullPath) is not { } file)
        {
            return AppFileResult.Failed(reader.Errors);
        }

        ConfigError[] conflicts = file.Conflicts(running).ToArray();
        if (conflicts.Length > 0)
        {
            return AppFileResult.Failed([.. reader.Errors, .. conflicts]);
        }

        ConfigResult joined = ConfigValidators.Check(file.AddTo(running), reader.Errors);
        if (joined.IsValid)
        {
            return new AppFileResult(file, []);
        }

        HashSet<string> before = ConfigValidators.Check(running, []).Errors.Select(e => e.ToString()).ToHashSet(StringComparer.Ordinal);
        ConfigError[] added = joined.Errors.Where(e => !before.Contains(e.ToString())).ToArray();
        return added.Length == 0 ? new AppFileResult(file, []) : AppFileResult.Failed(added);
    }
}
