namespace Berth.Config;

/// <summary>
/// What a full reload does with berth.yml read again: which apps start, stop, reload with new settings or reload
/// as they are (their code may have changed: a deploy switched <c>current</c>), and which settings it cannot apply
/// because they belong to the master itself (listeners, sockets, directories), named as the user writes them.
/// </summary>
public sealed record ReloadPlan(
    IReadOnlyList<AppConfig> Added,
    IReadOnlyList<string> Removed,
    IReadOnlyList<AppConfig> Changed,
    IReadOnlyList<string> Unchanged,
    IReadOnlyList<string> NeedRestart)
{
    public static ReloadPlan Between(BerthConfig running, BerthConfig next)
    {
        var before = running.Apps.ToDictionary(a => a.Name, StringComparer.Ordinal);
        var after = next.Apps.Select(a => a.Name).ToHashSet(StringComparer.Ordinal);
        return new ReloadPlan(
            next.Apps.Where(a => !before.ContainsKey(a.Name)).ToArray(),
            running.Apps.Where(a => !after.Contains(a.Name)).Select(a => a.Name).ToArray(),
            next.Apps.Where(a => before.TryGetValue(a.Name, out AppConfig? old) && !SameSettings(old, a)).ToArray(),
            next.Apps.Where(a => before.TryGetValue(a.Name, out AppConfig? old) && SameSettings(old, a)).Select(a => a.Name).ToArray(),
            [.. ServerChanges(running.Server, next.Server), .. ListenerChanges(running, next)]);
    }

    /// <summary>Equal but for where they were written (a line added above an app moves it) and for the environment
    /// compared by its entries: records compare dictionaries by reference.</summary>
    public static bool SameSettings(AppConfig a, AppConfig b) =>
        a with { Source = default, Environment = Empty } == b with { Source = default, Environment = Empty }
        && a.Environment.Count == b.Environment.Count
        && a.Environment.All(e => b.Environment.TryGetValue(e.Key, out string? value) && value == e.Value);

    private static readonly IReadOnlyDictionary<string, string> Empty = new Dictionary<string, string>();

    private static IEnumerable<string> ServerChanges(ServerSettings a, ServerSettings b)
    {
        (string Key, object? Before, object? After)[] settings =
        [
            ("access_log", a.AccessLog, b.AccessLog),
            ("graceful_timeout", a.GracefulTimeout, b.GracefulTimeout),
            ("forwarded_allow_ips", string.Join(",", a.ForwardedAllowIps), string.Join(",", b.ForwardedAllowIps)),
            ("max_body_size", a.MaxBodySize, b.MaxBodySize),
            ("runtime_dir", a.RuntimeDir, b.RuntimeDir),
            ("apps_dir", a.AppsDir, b.AppsDir),
            ("storage", a.Storage, b.Storage),
            ("acme_directory", a.AcmeDirectory, b.AcmeDirectory),
            ("acme_email", a.AcmeEmail, b.AcmeEmail),
            ("acme_ca_bundle", a.AcmeCaBundle, b.AcmeCaBundle),
        ];
        return settings.Where(s => !Equals(s.Before, s.After)).Select(s => "server." + s.Key);
    }

    /// <summary><paramref name="next"/> as berth can apply it while it runs: with the server: settings of
    /// <paramref name="running"/>, and each site named in <see cref="NeedRestart"/> on the addresses and HTTPS it had,
    /// so that its listeners keep serving it, with its new routes, until a restart.</summary>
    public static BerthConfig Applicable(BerthConfig running, BerthConfig next)
    {
        var before = running.Sites.ToDictionary(s => s.Name, StringComparer.Ordinal);
        SiteConfig[] sites = next.Sites.Select(site => before.TryGetValue(site.Name, out SiteConfig? old) && (ListenChanged(running, old, site) || TlsChanged(old, site))
            ? site with { Listen = old.Listen, Tls = old.Tls }
            : site).ToArray();
        return next with { Server = running.Server, Sites = sites };
    }

    /// <summary>Kestrel binds its listeners, and chooses TLS or not for each, once at the start: a site whose
    /// addresses, redirect_from: or HTTPS at all changed is named (by its name in berth.yml).</summary>
    private static IEnumerable<string> ListenerChanges(BerthConfig running, BerthConfig next)
    {
        var before = running.Sites.ToDictionary(s => s.Name, StringComparer.Ordinal);
        foreach (SiteConfig site in next.Sites)
        {
            before.TryGetValue(site.Name, out SiteConfig? old);
            if (ListenChanged(running, old, site))
            {
                yield return $"sites.{site.Name}.listen";
            }

            if (old is not null && TlsChanged(old, site))
            {
                yield return $"sites.{site.Name}.tls";
            }
        }
    }

    private static bool ListenChanged(BerthConfig running, SiteConfig? old, SiteConfig site) =>
        Addresses(old?.Listen ?? []) != Addresses(site.Listen) && !Covered(running, site);

    private static bool TlsChanged(SiteConfig old, SiteConfig site) =>
        (old.Tls is null) != (site.Tls is null) || old.Tls?.RedirectFrom?.ToString() != site.Tls?.RedirectFrom?.ToString();

    private static string Addresses(IEnumerable<ListenAddress> listen) => string.Join(" ", listen.Select(l => l.ToString()).Order(StringComparer.Ordinal));

    /// <summary>A new site on addresses berth already listens on, with TLS there exactly when the site has it, is served
    /// without a restart; a TLS site on a plain listener (or the reverse) needs new listeners.</summary>
    private static bool Covered(BerthConfig running, SiteConfig site)
    {
        var bound = running.Sites.Where(s => (s.Tls is null) == (site.Tls is null))
            .SelectMany(s => s.Listen).Select(l => l.ToString()).ToHashSet(StringComparer.Ordinal);
        return site.Listen.All(l => bound.Contains(l.ToString()));
    }
}
