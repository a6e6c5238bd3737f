namespace Berth.Edge;

/// <summary>
/// Picks the site for a Host header on one listener, as nginx picks a <c>server</c> block: exact
/// name, then the longest matching <c>*.example.com</c> wildcard, then the default site (the one
/// without host names). Names compare case-insensitively and without the port.
/// </summary>
public sealed class HostRouter
{
    private readonly HostNameTable<SiteRoutes> _sites = new();

    public SiteRoutes? Default => _sites.Default;

    public IEnumerable<string> Names => _sites.Names;

    public void Add(SiteRoutes site, IReadOnlyList<string> hosts) => _sites.Add(site, hosts);

    public SiteRoutes? Find(string host) => _sites.HasNames ? _sites.Find(StripPort(host)) : _sites.Default;

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
