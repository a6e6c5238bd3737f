namespace Berth.Config.Validators;

/// <summary>
/// URL prefixes of static: and mounts: are paths: they start with <c>/</c> and carry no query, fragment, spaces
/// or <c>..</c>. The edge matches whole path segments and ignores a trailing slash (<c>/static</c> and
/// <c>/static/</c> are one prefix, and neither takes /staticfiles), so one site may not mount the same prefix
/// twice, whether as two static directories, two apps, or one of each.
/// </summary>
public sealed class UrlPrefixValidator : IConfigValidator
{
    public IEnumerable<ConfigError> Validate(BerthConfig config)
    {
        foreach (SiteConfig site in config.Sites)
        {
            var taken = new Dictionary<string, string>(StringComparer.Ordinal);
            IEnumerable<(string Prefix, SourceSpan Source, string Path, string What)> prefixes =
                site.Static.Select(s => (s.UrlPrefix, s.Source, ConfigPath.Entry(ConfigPath.Site(site.Name, ConfigSchema.Static.Key), s.UrlPrefix), $"the static directory {s.Directory}"))
                .Concat(site.Mounts.Select(m => (m.UrlPrefix, m.Source, ConfigPath.Entry(ConfigPath.Site(site.Name, ConfigSchema.Mounts.Key), m.UrlPrefix), $"app `{m.App}`")));
            foreach ((string prefix, SourceSpan source, string path, string what) in prefixes)
            {
                if (Problem(prefix) is { } problem)
                {
                    yield return config.SourceMap.Error(path, source, $"\"{prefix}\" {problem}", $"write a path such as /{prefix.Trim().Trim('/')}/");
                    continue;
                }

                string key = prefix.TrimEnd('/');
                if (!taken.TryAdd(key, what))
                {
                    yield return config.SourceMap.Error(path, source, $"\"{prefix}\" is mounted twice in site `{site.Name}`: by {taken[key]} and by {what}",
                        "keep one of them, or move one to a different prefix");
                }
            }
        }
    }

    private static string? Problem(string prefix)
    {
        if (!prefix.StartsWith('/'))
        {
            return "does not start with /";
        }

        if (prefix.AsSpan().IndexOfAny("?# \t\\") >= 0)
        {
            return "contains a character a URL path prefix cannot (?, #, \\ or a space)";
        }

        return prefix.Split('/').Any(segment => segment is "." or "..") ? "contains a . or .. segment" : null;
    }
}
