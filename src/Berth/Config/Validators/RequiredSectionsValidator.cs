namespace Berth.Config.Validators;

/// <summary>Something to serve: at least one app, and sites that say where. One app with no sites never gets
/// here, because <see cref="ImplicitSite"/> has mounted it at / already. With apps_dir, the apps may all come from
/// its files.</summary>
public sealed class RequiredSectionsValidator : IConfigValidator
{
    public IEnumerable<ConfigError> Validate(BerthConfig config)
    {
        if (config.Apps.Count == 0 && config.Server.AppsDir is null)
        {
            yield return config.SourceMap.Error(ConfigPath.Apps, config.SourceMap.Origin, "no apps are defined",
                "add one under apps:, such as `apps: { web: { module: myproject.wsgi:application } }`, or set server.apps_dir: to a directory of app files");
        }

        if (config.Sites.Count == 0 && config.Apps.Count > 1)
        {
            yield return config.SourceMap.Error(ConfigPath.Sites, config.SourceMap.Origin,
                $"no sites are defined, and with {config.Apps.Count} apps berth cannot guess which to serve where",
                "add sites: with a site that mounts each app, such as `sites: { main: { listen: \":8000\", mounts: { /: web, /api: api } } }`");
        }
    }
}
