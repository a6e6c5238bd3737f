namespace Berth.Config.Validators;

/// <summary>
/// A static directory must exist when berth starts, as nginx's <c>alias</c> need not but should: a missing one
/// would otherwise show up as a 404 on every stylesheet. Django users: this is the STATIC_ROOT that
/// <c>manage.py collectstatic</c> fills.
/// </summary>
public sealed class StaticDirectoryValidator : IConfigValidator
{
    public IEnumerable<ConfigError> Validate(BerthConfig config)
    {
        foreach (SiteConfig site in config.Sites)
        {
            foreach (StaticMount mount in site.Static)
            {
                if (Directory.Exists(mount.Directory))
                {
                    continue;
                }

                string path = ConfigPath.Entry(ConfigPath.Site(site.Name, ConfigSchema.Static.Key), mount.UrlPrefix);
                yield return File.Exists(mount.Directory)
                    ? config.SourceMap.Error(path, mount.Source, $"{mount.Directory} is a file, not a directory", "map the prefix to the directory that holds the file")
                    : config.SourceMap.Error(path, mount.Source, $"{mount.Directory} does not exist",
                        $"create it (for Django, run `manage.py collectstatic` into it), or correct the path; {ConfigSourceMap.RelativeBase(config.SourceMap.Locate(path, mount.Source).Source)}");
            }
        }
    }
}
