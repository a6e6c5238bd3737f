namespace Berth.Config.Validators;

/// <summary>Every mount names an app defined under apps: (a typo gets the nearest name), and every site serves
/// something: a site with no app and no static directory would answer 404 to everything — unless apps_dir is set,
/// whose files may mount their apps there.</summary>
public sealed class MountTargetValidator : IConfigValidator
{
    public IEnumerable<ConfigError> Validate(BerthConfig config)
    {
        string[] apps = config.Apps.Select(a => a.Name).ToArray();
        foreach (SiteConfig site in config.Sites)
        {
            foreach (AppMount mount in site.Mounts)
            {
                if (apps.Contains(mount.App, StringComparer.Ordinal))
                {
                    continue;
                }

                string path = ConfigPath.Entry(ConfigPath.Site(site.Name, ConfigSchema.Mounts.Key), mount.UrlPrefix);
                string fix = DidYouMean.Find(mount.App, apps) is { } near
                    ? $"did you mean `{near}`?"
                    : apps.Length > 0 ? $"use one of the apps defined under apps: ({string.Join(", ", apps)})" : "define it under apps:";
                yield return config.SourceMap.Error(path, mount.Source, $"mounts app `{mount.App}`, which is not defined under apps:", fix);
            }

            if (site.Mounts.Count == 0 && site.Static.Count == 0 && config.Server.AppsDir is null)
            {
                yield return config.SourceMap.Error(ConfigPath.Site(site.Name), site.Source, "serves nothing: it has no app:, mounts: or static:",
                    apps.Length > 0 ? $"add `app: {apps[0]}` to serve that app at /" : "add app: or static: to it");
            }
        }
    }
}
