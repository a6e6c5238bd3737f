using Berth.Config;
using Berth.Edge.Static;
using Berth.Workers;

namespace Berth.Edge;

/// <summary>
/// The routes of every listener, built from one configuration and never changed: a change of the sites or the
/// apps (a file of apps_dir) builds a new table and swaps one reference, so a request is routed wholly by the old
/// table or wholly by the new one. The listeners themselves stay as they were at the start.
/// </summary>
public sealed class RoutingTable
{
    private readonly HostRouter[] _routers;
    private readonly Dictionary<string, StaticFileHandler> _statics;
    private readonly (BerthConfig Config, IReadOnlyList<ListenAddress> Listeners, IReadOnlyDictionary<string, AppSupervisor> Apps) _source;

    private RoutingTable(HostRouter[] routers, Dictionary<string, StaticFileHandler> statics, BerthConfig config, IReadOnlyList<ListenAddress> listeners, IReadOnlyDictionary<string, AppSupervisor> apps)
    {
        _routers = routers;
        _statics = statics;
        _source = (config, listeners, apps);
    }

    /// <summary>The router of the listener at <paramref name="index"/> in the list the table was built for.</summary>
    public HostRouter For(int index) => _routers[index];

    /// <param name="previous">The table this one replaces: its static handlers are kept, so a static root stays
    /// pinned where it was resolved (see <see cref="StaticFileHandler"/>) when only apps change.</param>
    public static RoutingTable Build(BerthConfig config, IReadOnlyList<ListenAddress> listeners, IReadOnlyDictionary<string, AppSupervisor> apps, TimeProvider time, RoutingTable? previous) =>
        Build(config, listeners, apps, time, previous, resolveAgain: false, []);

    /// <summary>This table with every static root resolved again: after a reload, when a deploy has switched
    /// <c>current</c>, a site's files come from the release its new workers run. A root that no longer resolves
    /// keeps serving from where it was, and is named in <paramref name="unresolved"/>.</summary>
    public RoutingTable WithStaticRootsResolvedAgain(TimeProvider time, out IReadOnlyList<string> unresolved)
    {
        var problems = new List<string>();
        RoutingTable table = Build(_source.Config, _source.Listeners, _source.Apps, time, this, resolveAgain: true, problems);
        unresolved = problems;
        return table;
    }

    private static RoutingTable Build(BerthConfig config, IReadOnlyList<ListenAddress> listeners, IReadOnlyDictionary<string, AppSupervisor> apps, TimeProvider time,
        RoutingTable? previous, bool resolveAgain, List<string> unresolved)
    {
        var statics = new Dictionary<string, StaticFileHandler>(StringComparer.Ordinal);
        StaticFileHandler Handler(string directory)
        {
            if (!statics.TryGetValue(directory, out StaticFileHandler? handler))
            {
                StaticFileHandler? kept = previous?._statics.GetValueOrDefault(directory);
                handler = kept is not null && !resolveAgain ? kept : New(directory, kept);
                statics[directory] = handler;
            }

            return handler;
        }

        StaticFileHandler New(string directory, StaticFileHandler? kept)
        {
            try
            {
                return new StaticFileHandler(directory, time);
            }
            catch (DirectoryNotFoundException e) when (kept is not null)
            {
                unresolved.Add($"{e.Message}; its files are served from {kept.RootDirectory} until it exists and berth reloads");
                return kept;
            }
        }

        var routers = new HostRouter[listeners.Count];
        for (int i = 0; i < listeners.Count; i++)
        {
            string listener = listeners[i].ToString();
            routers[i] = new HostRouter();
            foreach (SiteConfig site in config.Sites.Where(s => s.Listen.Any(l => l.ToString() == listener)))
            {
                IEnumerable<Route> files = site.Static.Select(m => new Route(m.UrlPrefix, Handler(m.Directory), null));
                IEnumerable<Route> mounts = site.Mounts.Select(m => new Route(m.UrlPrefix, null, apps[m.App]));
                string? hsts = site.Tls?.Hsts is { } age ? $"max-age={(long)age.TotalSeconds}" : null;
                routers[i].Add(new SiteRoutes(site.Name, files.Concat(mounts)) { Hsts = hsts }, site.Hosts);
            }

            // A TLS site's plain HTTP address sends everything to its https one, but still serves ACME's HTTP-01
            // challenges (RFC 8555 8.3), which must be reachable over plain HTTP on port 80.
            foreach (SiteConfig site in config.Sites.Where(s => s.Tls?.RedirectFrom?.ToString() == listener))
            {
                int port = site.Listen.FirstOrDefault(l => !l.IsUnix)?.Port ?? 443;
                var redirect = new SiteRoutes(site.Name, []) { RedirectToHttpsPort = port };
                routers[i].Add(redirect, site.Hosts);
                routers[i].Add(redirect, []); // any other name (an IP address, say) is redirected too, as Caddy does
            }
        }

        return new RoutingTable(routers, statics, config, listeners, apps);
    }
}
