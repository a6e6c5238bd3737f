namespace Berth.Config;

/// <summary>
/// A file that defines one app and no sites means "serve it": like <c>gunicorn app:application</c>, the app is
/// mounted at / on 127.0.0.1:8000 (gunicorn's default bind). With several apps berth cannot guess which goes
/// where, so there the missing sites: stays an error.
/// </summary>
public static class ImplicitSite
{
    public const string Name = "default";

    public static BerthConfig AddIfMissing(BerthConfig config)
    {
        if (config.Sites.Count > 0 || config.Apps.Count != 1)
        {
            return config;
        }

        AppConfig app = config.Apps[0];
        var site = new SiteConfig(Name, [ListenAddressParser.Default(app.Source)], [], [], [new AppMount("/", app.Name, app.Source)], app.Source);
        return config with { Sites = [site] };
    }
}
