using System.Net;
using System.Text.RegularExpressions;

namespace Berth.Config.Validators;

/// <summary>
/// hosts: holds what the edge compares with the Host header: DNS names (<c>example.com</c>), one leading
/// wildcard label (<c>*.example.com</c>, longest match wins, as in nginx), IP literals (IPv6 in brackets, as
/// the header carries them), or <c>*</c> for the default site. No ports: the header's port is ignored.
/// </summary>
public sealed partial class HostNameValidator : IConfigValidator
{
    public IEnumerable<ConfigError> Validate(BerthConfig config)
    {
        foreach (SiteConfig site in config.Sites)
        {
            for (int i = 0; i < site.Hosts.Count; i++)
            {
                if (Problem(site.Hosts[i]) is { } problem)
                {
                    string path = ConfigPath.Item(ConfigPath.Site(site.Name, ConfigSchema.Hosts.Key), i);
                    yield return config.SourceMap.Error(path, site.Source, $"\"{site.Hosts[i]}\" {problem.Message}", problem.Fix);
                }
            }
        }
    }

    private static (string Message, string Fix)? Problem(string host)
    {
        if (host == "*" || IPAddress.TryParse(host, out _) && !host.Contains(':', StringComparison.Ordinal) && host.Count(c => c == '.') == 3)
        {
            return null;
        }

        if (host.StartsWith('[') && host.EndsWith(']') && IPAddress.TryParse(host[1..^1], out _))
        {
            return null;
        }

        if (host.Contains("://", StringComparison.Ordinal) || host.Contains('/', StringComparison.Ordinal))
        {
            return ("is a URL, not a host name", "write the name alone, such as example.com");
        }

        if (PortSuffix().IsMatch(host))
        {
            return ("has a port", "write the name without :PORT; sites on other ports get their own listen:");
        }

        string name = host.StartsWith("*.", StringComparison.Ordinal) ? host[2..] : host;
        if (name.Contains('*', StringComparison.Ordinal))
        {
            return ("has a * that is not a whole leading label", "write *.example.com to match every subdomain of example.com");
        }

        if (name.Length is 0 or > 253 || !Name().IsMatch(name))
        {
            return ("is not a host name", "use letters, digits, - and dots, such as www.example.com");
        }

        return null;
    }

    [GeneratedRegex(@"^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$")]
    private static partial Regex Name();

    [GeneratedRegex(@"^[^\[\]:]+:[0-9]*$|^\[.*\]:[0-9]*$")]
    private static partial Regex PortSuffix();
}
