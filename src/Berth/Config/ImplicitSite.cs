namespace Berth.Config;

/// <summary>
/// A file that defines one app and no sites means "serve it": like <c>gunicorn app:application</c>, the app is
/// mounted at / on 127.0.0.1:8000 (gunicorn's default bind). With several apps berth cannot guess which goes
/// where, so there the missing sites: stays an error. A file with no apps and no sites but an apps_dir gets the
/// same site with nothing mounted yet: the app files mount their apps on it.
/// </summary>
public static class ImplicitSite
{
    public const string Name = "default";

    public static BerthConfig AddIfMissing(BerthConfig config)
    {
        if (config.Sites.Count > 0)
        {
            return config;
        }

        if (config.Apps is [AppConfig app])
        {
            return config with { Sites = [Site(app.Source, [new AppMount("/", app.Name, app.Source)])] };
        }

        return config.Apps.Count == 0 && config.Server.AppsDir is not null
            ? config with { Sites = [Site(config.SourceMap.Locate(ConfigPath.ServerKey(ConfigSchema.AppsDir.Key), config.SourceMap.Origin).Source, [])] }
            : config;
    }

    private static SiteConfig Site(SourceSpan source, IReadOnlyList<AppMount> mounts) =>
        new(Name, [ListenAddressParser.Default(source)], [], [], mounts, source);
}
