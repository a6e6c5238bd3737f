using System.Collections.Immutable;
using System.Globalization;

namespace Berth.Config;

/// <summary>Where one setting was written and what to call it in an error: <c>(berth.yml:12, "apps.web.workers")</c>
/// or <c>(command line, "--workers")</c>.</summary>
public readonly record struct ConfigLocation(SourceSpan Source, string Key);

/// <summary>
/// Setting path → where it was written. Records keep one <see cref="SourceSpan"/> per app, site or mount; this
/// map keeps one per key, so a validator that finds <c>workers: 0</c> names the line of <c>workers:</c>, and a
/// flag that overrides a setting takes over its entry, so the same validator then names <c>--workers</c>.
/// Paths are those of <see cref="ConfigPath"/>.
/// </summary>
public sealed class ConfigSourceMap
{
    private readonly ImmutableDictionary<string, ConfigLocation> _entries;

    internal ConfigSourceMap(ImmutableDictionary<string, ConfigLocation> entries) => _entries = entries;

    public static ConfigSourceMap Empty { get; } = new(ImmutableDictionary<string, ConfigLocation>.Empty.WithComparers(StringComparer.Ordinal));

    /// <summary>The file itself (line 0), or the command line for a config built from flags: where to report
    /// what is missing from the whole configuration, such as "no apps are defined".</summary>
    public SourceSpan Origin => Locate("", SourceSpan.CommandLine).Source;

    /// <summary>Where <paramref name="path"/> was set; a setting left at its default was written nowhere, so it is
    /// reported at <paramref name="fallback"/> (usually its app or site) under its own path.</summary>
    public ConfigLocation Locate(string path, SourceSpan fallback) =>
        _entries.TryGetValue(path, out ConfigLocation location) ? location : new ConfigLocation(fallback, path);

    /// <summary>What relative paths at <paramref name="source"/> were relative to, for fixes that mention it.</summary>
    public static string RelativeBase(SourceSpan source) =>
        source == SourceSpan.CommandLine ? "relative paths in flags start at the current directory" : "relative paths start at the config file's directory";

    public ConfigSourceMap With(string path, SourceSpan source, string key) => new(_entries.SetItem(path, new ConfigLocation(source, key)));

    /// <summary>This map with every entry of <paramref name="other"/> added (an app file's settings to berth.yml's).</summary>
    public ConfigSourceMap Union(ConfigSourceMap other) => new(_entries.SetItems(other._entries));

    /// <summary>Drops <paramref name="path"/> and everything below it (<c>path.x</c>, <c>path[0]</c>), e.g. when
    /// <c>--bind</c> replaces a site's whole <c>listen:</c> list.</summary>
    public ConfigSourceMap Without(string path) =>
        new(_entries.RemoveRange(_entries.Keys.Where(k => ConfigPath.IsWithin(k, path))));

    public ConfigError Error(string path, SourceSpan fallback, string message, string fix)
    {
        ConfigLocation at = Locate(path, fallback);
        return new ConfigError(at.Source, at.Key, message, fix);
    }

    /// <summary>The standard "must be X, got Y. Fix: set K to Z" error of one <see cref="Setting"/>, phrased for
    /// the file (<c>set workers: to</c>) or for the command line (<c>set --workers to</c>).</summary>
    public ConfigError Invalid(string path, SourceSpan fallback, Setting setting, string got)
    {
        ConfigLocation at = Locate(path, fallback);
        return new ConfigError(at.Source, at.Key, $"must be {setting.Expects}, got {got}", setting.FixFor(at.Source));
    }

    /// <summary><see cref="Invalid(string, SourceSpan, Setting, string)"/> for one of <paramref name="app"/>'s settings,
    /// reported at the app when the setting was left at its default.</summary>
    public ConfigError Invalid(AppConfig app, Setting setting, string got) => Invalid(ConfigPath.App(app.Name, setting.Key), app.Source, setting, got);

    /// <summary>The same for a count, such as <c>workers: 0</c>.</summary>
    public ConfigError Invalid(AppConfig app, Setting setting, long got) => Invalid(app, setting, got.ToString(CultureInfo.InvariantCulture));
}
