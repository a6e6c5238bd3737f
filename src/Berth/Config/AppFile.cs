namespace Berth.Config;

/// <summary>
/// One app of apps_dir, read from a file of its own (<c>apps.d/blog.yml</c> is the app <c>blog</c>), and where it
/// is served: <c>mount:</c> puts it under a URL prefix of every site of berth.yml (or of <c>site:</c> alone), and
/// <c>hosts:</c> gives it a site of its own, answering those names at / on berth's listeners. Either or both.
/// </summary>
/// <param name="Path">The file's full path.</param>
public sealed record AppFile(AppConfig App, string? Mount, string? Site, IReadOnlyList<string> Hosts, string Path)
{
    /// <summary>Where each setting of the file was written, under berth.yml's paths (<c>apps.blog.workers</c>).</summary>
    public ConfigSourceMap SourceMap { get; init; } = ConfigSourceMap.Empty;

    /// <summary>Where the app is served, for the log: "at /blog on every site and at blog.example.com".</summary>
    public string Where
    {
        get
        {
            string? mounted = Mount is null ? null : Site is null ? $"at {Mount} on every site" : $"at {Mount} on site {Site}";
            string? hosted = Hosts.Count == 0 ? null : $"at {string.Join(", ", Hosts)}";
            return string.Join(" and ", new[] { mounted, hosted }.OfType<string>());
        }
    }

    /// <summary><paramref name="config"/> with this app added and mounted, unchecked: <see cref="ConfigLoader.LoadAppFile"/>
    /// checks the result; berth uses it to rebuild its routes from berth.yml and the files that passed.</summary>
    public BerthConfig AddTo(BerthConfig config)
    {
        string name = App.Name;
        ConfigSourceMap map = config.SourceMap.Union(SourceMap);
        ConfigLocation mountAt = Locate(ConfigSchema.Mount);
        var sites = new List<SiteConfig>();
        foreach (SiteConfig site in config.Sites)
        {
            if (Mount is null || site.FromAppFile || (Site is not null && site.Name != Site))
            {
                sites.Add(site);
                continue;
            }

            sites.Add(site with { Mounts = [.. site.Mounts, new AppMount(Mount, name, mountAt.Source)] });
            map = map.With(MountPath(site.Name, Mount), mountAt.Source, mountAt.Key);
        }

        if (Hosts.Count > 0)
        {
            ConfigLocation hostsAt = Locate(ConfigSchema.AppHosts);
            string hostsPath = ConfigPath.Site(name, ConfigSchema.Hosts.Key);
            ListenAddress[] listen = config.Sites.Where(s => !s.FromAppFile).SelectMany(s => s.Listen).DistinctBy(l => l.ToString()).ToArray();
            sites.Add(new SiteConfig(name, listen, Hosts, [], [new AppMount("/", name, hostsAt.Source)], hostsAt.Source) { FromAppFile = true });
            map = map.With(ConfigPath.Site(name), hostsAt.Source, hostsAt.Key)
                .With(hostsPath, hostsAt.Source, hostsAt.Key)
                .With(MountPath(name, "/"), hostsAt.Source, hostsAt.Key);
            for (int i = 0; i < Hosts.Count; i++)
            {
                ConfigLocation item = SourceMap.Locate(ConfigPath.Item(ConfigPath.App(name, ConfigSchema.AppHosts.Key), i), hostsAt.Source);
                map = map.With(ConfigPath.Item(hostsPath, i), item.Source, item.Key);
            }
        }

        return config with { Apps = [.. config.Apps, App], Sites = sites, SourceMap = map };
    }

    /// <summary>What keeps this file from joining <paramref name="config"/> that no validator would say, or say as
    /// clearly: a name berth.yml already uses, a site that is not there, nowhere to serve the app.</summary>
    internal IEnumerable<ConfigError> Conflicts(BerthConfig config)
    {
        string name = App.Name;
        if (config.Apps.FirstOrDefault(a => a.Name == name) is { } taken)
        {
            yield return new ConfigError(App.Source, "", $"names the app `{name}`, but {DefinedAt(config, ConfigPath.App(name), taken.Source)} already defines an app of that name",
                "rename this file: an app file's app is named after the file, and each app needs a name of its own");
        }

        if (Hosts.Count > 0 && config.Sites.FirstOrDefault(s => s.Name == name) is { } site)
        {
            yield return Error(ConfigSchema.AppHosts, $"makes a site named `{name}` (after the file), but {DefinedAt(config, ConfigPath.Site(name), site.Source)} already defines a site of that name",
                "rename this file, or that site");
        }

        if (Site is not null)
        {
            string[] names = config.Sites.Where(s => !s.FromAppFile).Select(s => s.Name).ToArray();
            if (Mount is null)
            {
                yield return Error(ConfigSchema.Site, "says which site mount: is on, but there is no mount:", "add `mount: /PREFIX`, or remove site:");
            }
            else if (!names.Contains(Site, StringComparer.Ordinal))
            {
                yield return Error(ConfigSchema.Site, $"names site `{Site}`, which berth.yml does not define",
                    DidYouMean.Find(Site, names) is { } near ? $"did you mean `{near}`?" : $"use one of berth.yml's sites ({string.Join(", ", names)}), or leave site: out to mount the app on every site");
            }
        }

        if (Mount is null && Hosts.Count == 0)
        {
            yield return Error(ConfigSchema.Mount, "is missing, and so is hosts:, so the app would be served nowhere",
                $"add `mount: /{name}` to serve it under /{name} on every site, or `hosts: [{name}.example.com]` to give it a site of its own");
        }
    }

    private ConfigLocation Locate(Setting setting) => SourceMap.Locate(ConfigPath.App(App.Name, setting.Key), App.Source);

    private ConfigError Error(Setting setting, string message, string fix)
    {
        ConfigLocation at = Locate(setting);
        return new ConfigError(at.Source, at.Key, message, fix);
    }

    private static string DefinedAt(BerthConfig config, string path, SourceSpan fallback) => config.SourceMap.Locate(path, fallback).Source.ToString();

    private static string MountPath(string site, string prefix) => ConfigPath.Entry(ConfigPath.Site(site, ConfigSchema.Mounts.Key), prefix);
}
