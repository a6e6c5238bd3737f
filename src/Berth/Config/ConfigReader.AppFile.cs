using YamlDotNet.RepresentationModel;

namespace Berth.Config;

internal sealed partial class ConfigReader
{
    /// <summary>
    /// A file of apps_dir: the settings of one app at the top level, as under <c>apps.NAME:</c> in berth.yml, plus
    /// <c>mount:</c>, <c>site:</c> and <c>hosts:</c>, which say where it is served. The app is named after the file.
    /// Paths are those of berth.yml (<c>apps.blog.workers</c>), so the validators check it as any other app; errors
    /// call each setting by its key in this file. Null when the file holds no mapping (reported).
    /// </summary>
    public AppFile? ReadAppFile(YamlNode? root, string name, string path)
    {
        string app = ConfigPath.App(name);
        _fileRoot = app;
        var file = new SourceSpan(_file, 0);
        _sources[app] = new ConfigLocation(file, "");
        foreach (Setting setting in ConfigSchema.AppFileKeys)
        {
            // A setting left out is reported at the file, by its own name: "blog.yml: module: is required".
            _sources[ConfigPath.Child(app, setting.Key)] = new ConfigLocation(file, setting.Key);
        }

        if (root is not YamlMappingNode map)
        {
            const string Fix = "write the app's settings at the top of the file, such as `module: blog.wsgi:application` and `mount: /blog`; the app is named after the file";
            _errors.Add(root is null || IsEmpty(root)
                ? new ConfigError(file, "", "is empty", Fix)
                : new ConfigError(At(root), "", $"holds {Describe(root)}, but an app file is a mapping of one app's settings", Fix));
            return null;
        }

        AppConfig settings = NewApp(name, file);
        string? mount = null;
        string? site = null;
        List<string> hosts = [];
        foreach (Entry entry in Settings(map, app, SettingSection.AppFile))
        {
            switch (entry.Key)
            {
                case "mount":
                    mount = Text(entry, ConfigSchema.Mount)?.Trim();
                    break;
                case "site":
                    site = Text(entry, ConfigSchema.Site)?.Trim();
                    break;
                case "hosts":
                    hosts = HostNames(entry, ConfigSchema.AppHosts);
                    break;
                default:
                    settings = ReadAppSetting(settings, entry);
                    break;
            }
        }

        return new AppFile(settings, mount, site, hosts, path) { SourceMap = new ConfigSourceMap(_sources.ToImmutable()) };
    }
}
