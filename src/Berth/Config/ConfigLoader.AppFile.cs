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

    /// <summary>The app files of <paramref name="directory"/>, in app-name order: every NAME.yml directly in it, except
    /// hidden ones (an editor's <c>.#blog.yml</c>). The app is named after the file.</summary>
    public static IEnumerable<FileInfo> AppFilesIn(string directory) =>
        new DirectoryInfo(directory).EnumerateFiles("*.yml")
            .Where(f => !f.Name.StartsWith('.') && f.Extension == ".yml")
            .OrderBy(f => f.Name, StringComparer.Ordinal);

    /// <summary>An app file as logs and errors name it: relative to berth.yml's directory when it is below it (apps.d/blog.yml).</summary>
    public static string AppFileShown(BerthConfig berthYml, string path)
    {
        string baseDirectory = Path.GetDirectoryName(berthYml.Path) ?? Directory.GetCurrentDirectory();
        string relative = Path.GetRelativePath(baseDirectory, path);
        return relative.StartsWith("..", StringComparison.Ordinal) ? path : relative;
    }

    /// <summary>
    /// Every app file of <paramref name="berthYml"/>'s apps_dir, checked as <c>berth serve</c> checks them at its start:
    /// in name order, each joining berth.yml and the files before it that passed. A file that fails is left out of
    /// what the next ones join. Empty without apps_dir.
    /// </summary>
    public static IReadOnlyList<(string Shown, AppFileResult Result)> LoadAppsDir(BerthConfig berthYml)
    {
        if (berthYml.Server.AppsDir is not { } directory || !Directory.Exists(directory))
        {
            return [];
        }

        var results = new List<(string, AppFileResult)>();
        BerthConfig running = berthYml;
        foreach (FileInfo file in AppFilesIn(directory))
        {
            string shown = AppFileShown(berthYml, file.FullName);
            AppFileResult result = LoadAppFile(file.FullName, shown, running);
            running = result.IsValid ? result.File!.AddTo(running) : running;
            results.Add((shown, result));
        }

        return results;
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
