namespace Berth.Config;

/// <summary>How every path in the configuration is made absolute: against the config file's directory for the
/// file, against the current directory for flags.</summary>
public static class RelativePath
{
    /// <summary><paramref name="path"/> made absolute against <paramref name="baseDirectory"/>, without a trailing
    /// slash, so <c>static/</c> and <c>static</c> name one directory.</summary>
    public static string Resolve(string path, string baseDirectory) =>
        Path.TrimEndingDirectorySeparator(Path.GetFullPath(path, baseDirectory));
}
