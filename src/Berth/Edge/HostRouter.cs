namespace Berth.Edge;

/// <summary>
/// Picks the site for a Host header on one listener, as nginx picks a <c>server</c> block: exact
/// name, then the longest matching <c>*.example.com</c> wildcard, then the default site (the one
/// without host names). Names compare case-insensitively and without the port.
/// </summary>
public sealed class HostRouter
{
    private readonly Dictionary<string, SiteRoutes> _exact = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<(string Suffix, SiteRoutes Site)> _wildcards = [];

    public SiteRoutes? Default { get; private set; }

    public IEnumerable<string> Names => _exact.Keys.Concat(_wildcards.Select(w => "*" + w.Suffix));

    public void Add(SiteRoutes site, IReadOnlyList<string> hosts)
    {
        if (hosts.Count == 0)
        {
            Default ??= site;
        }

        foreach (string host in hosts)
        {
            if (host == "*")
            {
                Default ??= site;
            }
            else if (host.StartsWith("*.", StringComparison.Ordinal))
            {
                _wildcards.Add((host[1..], site));
                _wildcards.Sort((a, b) => b.Suffix.Length.CompareTo(a.Suffix.Length));
            }
            else
            {
                _exact.TryAdd(host, site);
            }
        }
    }

    public SiteRoutes? Find(string host)
    {
        if (_exact.Count == 0 && _wildcards.Count == 0)
        {
            return Default;
        }

        string name = StripPort(host);
        if (_exact.TryGetValue(name, out SiteRoutes? site))
        {
            return site;
        }

        foreach ((string suffix, SiteRoutes wildcard) in _wildcards)
        {
            if (name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) && name.Length > suffix.Length)
            {
                return wildcard;
            }
        }

        return Default;
    }

    internal static string StripPort(string host)
    {
        if (host.StartsWith('['))
        {
            int close = host.IndexOf(']', StringComparison.Ordinal);
            return close > 0 ? host[..(close + 1)] : host;
        }

        int colon = host.LastIndexOf(':');
        return colon >= 0 ? host[..colon] : host;
    }
}
