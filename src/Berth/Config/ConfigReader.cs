using System.Collections.Immutable;
using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Berth.Config;

/// <summary>
/// Turns the YAML tree of berth.yml into the config records. Here each value is checked for its form — is it a
/// number, a duration, an address, a known key — because a record cannot hold "two" in an <c>int</c>. Whether a
/// readable value makes sense (a range, a path that exists, a name that is defined) is for the validators.
/// Nothing is thrown: a value that cannot be read is reported and left at its default, so the rest of the file
/// is still checked. An empty value (<c>workers:</c>) counts as leaving the key out.
/// Relative paths are resolved against the config file's directory, never the current one, so berth reads
/// the same file the same way from a shell and from systemd.
/// </summary>
internal sealed partial class ConfigReader
{
    private readonly string _file;
    private readonly string _baseDirectory;
    private readonly List<ConfigError> _errors = [];
    private readonly ImmutableDictionary<string, ConfigLocation>.Builder _sources =
        ImmutableDictionary.CreateBuilder<string, ConfigLocation>(StringComparer.Ordinal);

    // In an app file of apps_dir the app's settings stand at the top of the file, so errors call them by their
    // own key (`workers`, not `apps.blog.workers`); their paths stay berth.yml's, so the validators find them.
    private string _fileRoot = "";

    public ConfigReader(string file, string baseDirectory)
    {
        _file = file;
        _baseDirectory = baseDirectory;
    }

    public IReadOnlyList<ConfigError> Errors => _errors;

    /// <param name="root">The document's root node, or null for an empty file.</param>
    /// <param name="path">The file's full path, for <see cref="BerthConfig.Path"/>.</param>
    public BerthConfig Read(YamlNode? root, string? path)
    {
        var server = new ServerSettings();
        var apps = new List<AppConfig>();
        var sites = new List<SiteConfig>();
        Entry? deploy = null;
        _sources[""] = new ConfigLocation(new SourceSpan(_file, 0), "");
        if (root is YamlMappingNode map)
        {
            foreach (Entry entry in Settings(map, "", SettingSection.TopLevel))
            {
                switch (entry.Key)
                {
                    case "server": server = ReadServer(entry); break;
                    case "apps": apps = ReadApps(entry); break;
                    case "sites": sites = ReadSites(entry); break;
                    case "deploy": deploy = entry; break; // read last: its path: defaults to the first app's name
                    default: throw Unread(entry);
                }
            }
        }
        else if (root is not null && !IsEmpty(root))
        {
            Report(root, "", $"the file holds {Describe(root)}, but berth.yml is a mapping with apps:, sites: and server: at the top",
                "start from docs/berth.example.yml, which shows every setting");
        }

        DeploySettings? deploySettings = deploy is { } block ? ReadDeploy(block, apps) : null;
        return new BerthConfig(server, sites, apps, path) { SourceMap = new ConfigSourceMap(_sources.ToImmutable()), Deploy = deploySettings };
    }

    /// <summary>A key and its value, with the path errors call it by.</summary>
    private readonly record struct Entry(string Key, string Path, YamlNode KeyNode, YamlNode Value);

    /// <summary>One string of a list setting, which may have been written as a list or as one string.</summary>
    private readonly record struct Item(string Text, YamlNode Node, string Path, string Key);

    /// <summary>The entries of a block whose keys are settings (server:, an app, a site); unknown keys are reported with a suggestion.</summary>
    private IEnumerable<Entry> Settings(YamlMappingNode map, string parent, SettingSection section)
    {
        IReadOnlyList<Setting> known = ConfigSchema.KeysOf(section);
        foreach (Entry entry in Entries(map, parent, ConfigPath.Child))
        {
            if (known.Any(s => s.Key == entry.Key))
            {
                yield return entry;
            }
            else
            {
                Report(entry.KeyNode, entry.Path, "unknown setting", UnknownKeyAdvice.For(entry.Key, section));
            }
        }
    }

    /// <summary>The entries of any mapping; <paramref name="pathOf"/> builds each entry's path from its key.</summary>
    private IEnumerable<Entry> Entries(YamlMappingNode map, string parent, Func<string, string, string> pathOf)
    {
        foreach ((YamlNode keyNode, YamlNode value) in map.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { Length: > 0 } key })
            {
                Report(keyNode, parent, $"has {Describe(keyNode)} as a key, where a name belongs", "write a plain name before the colon");
                continue;
            }

            if (DuplicateKeyGuard.TryDecode(key, out string original, out int firstLine))
            {
                Report(keyNode, pathOf(parent, original), $"is written twice: here and on line {firstLine}",
                    "keep one of them (YAML has no repeated keys: the second would silently replace the first)");
                continue;
            }

            string path = pathOf(parent, key);
            _sources[path] = new ConfigLocation(At(keyNode), Name(path));
            yield return new Entry(key, path, keyNode, value);
        }
    }

    /// <summary>The mapping under a block setting; null when empty or not a mapping (reported).</summary>
    private YamlMappingNode? Block(Entry entry, Setting setting)
    {
        if (entry.Value is YamlMappingNode map)
        {
            return map;
        }

        if (!IsEmpty(entry.Value))
        {
            Invalid(entry, setting, Describe(entry.Value));
        }

        return null;
    }

    /// <summary>The text of a scalar setting; null when empty or not a scalar (reported).</summary>
    private string? Text(Entry entry, Setting setting)
    {
        if (entry.Value is YamlScalarNode scalar)
        {
            return IsEmpty(scalar) ? null : scalar.Value;
        }

        Invalid(entry, setting, Describe(entry.Value));
        return null;
    }

    private int? WholeNumber(Entry entry, Setting setting) =>
        Parsed(entry, setting, (string? text, out int number) => int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out number));

    /// <summary>A scalar setting read by <paramref name="parse"/>; null when empty, or when unreadable (reported).</summary>
    private T? Parsed<T>(Entry entry, Setting setting, ValueParser<T> parse)
        where T : struct
    {
        if (Text(entry, setting) is not { } text)
        {
            return null;
        }

        if (parse(text, out T value))
        {
            return value;
        }

        Invalid(entry, setting, Quote(text));
        return null;
    }

    /// <summary>YAML 1.2's booleans, true and false in any case; yes/no/on/off are refused rather than guessed at.</summary>
    private bool? Boolean(Entry entry, Setting setting)
    {
        if (Text(entry, setting) is not { } text)
        {
            return null;
        }

        if (bool.TryParse(text, out bool value))
        {
            return value;
        }

        Invalid(entry, setting, Quote(text));
        return null;
    }

    /// <summary>The strings of a setting that takes one string or a list of them (<c>listen: ":8000"</c> or <c>listen: [":8000"]</c>).</summary>
    private List<Item> Strings(Entry entry, Setting setting, bool commaSeparated)
    {
        var items = new List<Item>();
        switch (entry.Value)
        {
            case YamlScalarNode scalar when !IsEmpty(scalar):
                string[] parts = commaSeparated
                    ? scalar.Value!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                    : [scalar.Value!];
                foreach (string part in parts)
                {
                    items.Add(Register(new Item(part, scalar, ConfigPath.Item(entry.Path, items.Count), entry.Path)));
                }

                break;
            case YamlSequenceNode list:
                foreach (YamlNode node in list.Children)
                {
                    string path = ConfigPath.Item(entry.Path, items.Count);
                    if (node is YamlScalarNode { Value: { Length: > 0 } text } element && !IsEmpty(element))
                    {
                        items.Add(Register(new Item(text, node, path, path)));
                    }
                    else
                    {
                        Report(node, path, $"must be {setting.Expects}, got {Describe(node)}", setting.FixFor(At(node)));
                    }
                }

                break;
            case YamlMappingNode:
                Invalid(entry, setting, "a mapping");
                break;
        }

        return items;
    }

    private Item Register(Item item)
    {
        _sources[item.Path] = new ConfigLocation(At(item.Node), Name(item.Key));
        return item;
    }

    /// <summary>A path from the file, absolute: relative ones are relative to the file's directory.</summary>
    private string Resolve(string path) => RelativePath.Resolve(path, _baseDirectory);

    /// <summary>The path a setting names, made absolute; null when empty or not text (reported).</summary>
    private string? ResolvedPath(Entry entry, Setting setting) => Text(entry, setting) is { } path ? Resolve(path) : null;

    private SourceSpan At(YamlNode node) => new(_file, (int)node.Start.Line);

    private void Report(YamlNode node, string key, string message, string fix) => _errors.Add(new ConfigError(At(node), Name(key), message, fix));

    /// <summary>What errors call the setting at <paramref name="path"/> in this file.</summary>
    private string Name(string path) => ConfigPath.Relative(path, _fileRoot);

    private void Invalid(Entry entry, Setting setting, string got) =>
        Report(entry.KeyNode, entry.Path, $"must be {setting.Expects}, got {got}", setting.FixFor(At(entry.KeyNode)));

    /// <summary>YAML's null: nothing, <c>~</c> or <c>null</c>, unquoted.</summary>
    private static bool IsEmpty(YamlNode node) =>
        node is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    private static string Describe(YamlNode node) => node switch
    {
        YamlSequenceNode => "a list",
        YamlMappingNode => "a mapping",
        YamlScalarNode scalar when IsEmpty(scalar) => "nothing",
        YamlScalarNode scalar => Quote(scalar.Value ?? ""),
        _ => "an alias",
    };

    private static string Quote(string text) => $"\"{text}\"";

    /// <summary>A key listed in <see cref="ConfigSchema"/> that no reader handles: a bug in berth, not in the file.</summary>
    private static InvalidOperationException Unread(Entry entry) => new($"berth bug: the setting {entry.Path} is in ConfigSchema but ConfigReader does not read it");
}
