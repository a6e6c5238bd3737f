using System.Net;
using System.Net.Sockets;

namespace Berth.Config.Validators;

/// <summary>
/// Sites that share a listener are told apart by the Host header, as nginx's server blocks are, so on one
/// listener a host name may belong to one site only, and one site at most may be the default (no hosts:, or
/// <c>*</c>) that answers every other name. Listeners that differ in text but not to the kernel are refused
/// too: 0.0.0.0:8000 takes port 8000 on 127.0.0.1 as well, and [::]:8000 (which Kestrel opens dual-stack) takes
/// it on every IPv4 address, so the second bind would fail at start with "address already in use".
/// </summary>
public sealed class ListenerSharingValidator : IConfigValidator
{
    public IEnumerable<ConfigError> Validate(BerthConfig config)
    {
        var defaults = new Dictionary<string, SiteConfig>(StringComparer.Ordinal);
        var names = new Dictionary<(string Listener, string Host), SiteConfig>();
        var reported = new HashSet<string>(StringComparer.Ordinal); // sites sharing two listeners clash on both; say it once
        foreach (SiteConfig site in config.Sites)
        {
            string hostsPath = ConfigPath.Site(site.Name, ConfigSchema.Hosts.Key);
            foreach (ListenAddress address in site.Listen.DistinctBy(l => l.ToString(), StringComparer.Ordinal))
            {
                string listener = address.ToString();
                string fix = address.Source == SourceSpan.CommandLine
                    ? "--bind gives every site the same addresses, so the sites must differ in hosts:; list the names this site answers there, or leave out --bind"
                    : "list the names this site answers under hosts:, or give it a listen: address of its own";
                if (site.Hosts.Count == 0 || site.Hosts.Contains("*"))
                {
                    if (!defaults.TryAdd(listener, site) && reported.Add(hostsPath))
                    {
                        yield return config.SourceMap.Error(hostsPath, site.Source,
                            $"site `{site.Name}` and site `{defaults[listener].Name}` are both the default site on {listener} (neither lists hosts:, or both list *), so berth could not tell which should answer",
                            fix);
                    }
                }

                for (int i = 0; i < site.Hosts.Count; i++)
                {
                    string host = site.Hosts[i];
                    if (host != "*" && !names.TryAdd((listener, host), site) && names[(listener, host)] != site
                        && reported.Add(ConfigPath.Item(hostsPath, i)))
                    {
                        yield return config.SourceMap.Error(ConfigPath.Item(hostsPath, i), site.Source,
                            $"{host} is also a host of site `{names[(listener, host)].Name}` on {listener}, so berth could not tell which should answer it",
                            "keep the name in one of the two sites");
                    }
                }
            }
        }

        foreach (ConfigError error in Overlaps(config))
        {
            yield return error;
        }
    }

    private static IEnumerable<ConfigError> Overlaps(BerthConfig config)
    {
        var seen = new List<(ListenAddress Address, string Site)>();
        foreach (SiteConfig site in config.Sites)
        {
            for (int i = 0; i < site.Listen.Count; i++)
            {
                ListenAddress address = site.Listen[i];
                if (address.IsUnix)
                {
                    continue;
                }

                foreach ((ListenAddress other, string otherSite) in seen)
                {
                    if (other.Port == address.Port && other.ToString() != address.ToString() && Overlap(other.Host, address.Host))
                    {
                        yield return config.SourceMap.Error(ConfigPath.Item(ConfigPath.Site(site.Name, ConfigSchema.Listen.Key), i), address.Source,
                            $"{address} overlaps {other} of site `{otherSite}`: the kernel will not let one program bind both",
                            $"write the same address in both sites (such as {Wider(other, address)}) and tell them apart with hosts:");
                        break;
                    }
                }

                seen.Add((address, site.Name));
            }
        }
    }

    private static bool Overlap(string a, string b)
    {
        IPAddress[] left = Addresses(a);
        IPAddress[] right = Addresses(b);
        return left.Any(x => right.Any(y => Covers(x, y) || Covers(y, x)));
    }

    private static bool Covers(IPAddress wide, IPAddress narrow) =>
        wide.Equals(narrow)
        || (wide.Equals(IPAddress.Any) && narrow.AddressFamily == AddressFamily.InterNetwork)
        || wide.Equals(IPAddress.IPv6Any);

    // localhost is both loopbacks: Kestrel's ListenLocalhost binds 127.0.0.1 and [::1].
    private static IPAddress[] Addresses(string host) =>
        host == "localhost" ? [IPAddress.Loopback, IPAddress.IPv6Loopback] : IPAddress.TryParse(host, out IPAddress? ip) ? [ip] : [];

    private static ListenAddress Wider(ListenAddress a, ListenAddress b) =>
        a.Host is "0.0.0.0" or "::" ? a : b;
}
