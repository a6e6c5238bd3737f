using System.Text.RegularExpressions;

namespace Berth.Config.Validators;

/// <summary>
/// App and site names end up in logs, metrics labels, socket file names and <c>berth scale web 4</c>, so they
/// are kept to lower-case letters, digits, <c>-</c> and <c>_</c> (sites may also use dots, as in a domain).
/// Names are unique; in one YAML file the duplicate-key check already says so, this catches the rest.
/// </summary>
public sealed partial class NameValidator : IConfigValidator
{
    public IEnumerable<ConfigError> Validate(BerthConfig config)
    {
        var apps = new HashSet<string>(StringComparer.Ordinal);
        foreach (AppConfig app in config.Apps)
        {
            string path = ConfigPath.App(app.Name);
            if (!AppName().IsMatch(app.Name))
            {
                yield return config.SourceMap.Error(path, app.Source, "is not a valid app name",
                    $"rename it to something like `{Suggest(app.Name, allowDots: false)}`: lower-case letters, digits, - and _ (it names the app in logs, metrics and `berth scale`)");
            }

            if (!apps.Add(app.Name))
            {
                yield return config.SourceMap.Error(path, app.Source, "is defined twice", "give each app its own name");
            }
        }

        var sites = new HashSet<string>(StringComparer.Ordinal);
        foreach (SiteConfig site in config.Sites)
        {
            string path = ConfigPath.Site(site.Name);
            if (!SiteName().IsMatch(site.Name))
            {
                yield return config.SourceMap.Error(path, site.Source, "is not a valid site name",
                    $"rename it to something like `{Suggest(site.Name, allowDots: true)}`: lower-case letters, digits, ., - and _");
            }

            if (!sites.Add(site.Name))
            {
                yield return config.SourceMap.Error(path, site.Source, "is defined twice", "give each site its own name");
            }
        }
    }

    /// <summary>The nearest valid name: "My App" → "my-app".</summary>
    internal static string Suggest(string name, bool allowDots)
    {
        string lowered = name.Trim().ToLowerInvariant();
        var chars = lowered.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' || (allowDots && c == '.') ? c : '-').ToArray();
        string suggestion = new string(chars).Trim('-');
        return suggestion.Length == 0 ? "web" : suggestion;
    }

    [GeneratedRegex("^[a-z0-9_-]+$")]
    private static partial Regex AppName();

    [GeneratedRegex("^[a-z0-9_.-]+$")]
    private static partial Regex SiteName();
}
