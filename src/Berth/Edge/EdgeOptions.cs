using System.Net;
using Berth.Config;

namespace Berth.Edge;

/// <summary>The edge's settings, resolved once from <see cref="ServerSettings"/>.</summary>
public sealed class EdgeOptions
{
    private readonly IPAddress[] _trusted;
    private readonly bool _trustAll;

    public EdgeOptions(ServerSettings server, string spoolDirectory)
    {
        MaxBodySize = server.MaxBodySize;
        SpoolDirectory = spoolDirectory;
        _trustAll = server.ForwardedAllowIps.Contains("*");
        _trusted = server.ForwardedAllowIps.Where(ip => ip != "*").Select(ip => IPAddress.TryParse(ip, out IPAddress? parsed) ? parsed : null).OfType<IPAddress>().ToArray();
    }

    public long MaxBodySize { get; }

    public string SpoolDirectory { get; }

    /// <summary>Whether X-Forwarded-Proto from this peer is believed (gunicorn's forwarded_allow_ips).
    /// A Unix-socket peer has no address: it is a local proxy, and trusted like 127.0.0.1.</summary>
    public bool IsTrustedProxy(IPAddress? peer)
    {
        if (_trustAll || peer is null)
        {
            return true;
        }

        if (peer.IsIPv4MappedToIPv6)
        {
            peer = peer.MapToIPv4();
        }

        foreach (IPAddress trusted in _trusted)
        {
            if (trusted.Equals(peer))
            {
                return true;
            }
        }

        return false;
    }
}
