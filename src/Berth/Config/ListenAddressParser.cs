using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Berth.Config;

/// <summary>
/// Reads a listen address the way gunicorn's <c>--bind</c> does: <c>HOST:PORT</c>, <c>[IPV6]:PORT</c>,
/// <c>:PORT</c> or <c>*:PORT</c> for every IPv4 interface, <c>unix:PATH</c> (also <c>unix://PATH</c>).
/// Hosts are IP literals or <c>localhost</c>: the edge binds addresses, and names select sites through
/// <c>hosts:</c>. IPs come out in canonical form, so <c>0:0::1</c> and <c>::1</c> are one listener.
/// The port is only read here; <see cref="Validators.ListenAddressValidator"/> checks its range, so a
/// port of 70000 is reported with the other range errors rather than as unreadable.
/// </summary>
public static class ListenAddressParser
{
    public const string DefaultText = "127.0.0.1:8000"; // gunicorn's default bind

    public static ListenAddress Default(SourceSpan source) => new("127.0.0.1", 8000, null, source);

    /// <param name="text">What the user wrote.</param>
    /// <param name="source">Where they wrote it.</param>
    /// <param name="baseDirectory">What a relative Unix socket path is relative to.</param>
    /// <param name="address">The address, when it could be read.</param>
    /// <param name="problem">Otherwise, what is wrong, phrased to follow the quoted value: <c>"localhost" has no port</c>.</param>
    public static bool TryParse(string text, SourceSpan source, string baseDirectory, out ListenAddress? address, out string problem)
    {
        address = null;
        problem = "";
        string value = text.Trim();
        if (value.Length == 0)
        {
            problem = "is empty";
            return false;
        }

        if (value.StartsWith("unix:", StringComparison.OrdinalIgnoreCase))
        {
            string path = value["unix:".Length..];
            path = path.StartsWith("//", StringComparison.Ordinal) ? path[2..] : path;
            if (path.Length == 0)
            {
                problem = "names no socket path after unix:";
                return false;
            }

            address = new ListenAddress("", 0, RelativePath.Resolve(path, baseDirectory), source);
            return true;
        }

        string host;
        string port;
        if (value.StartsWith('['))
        {
            int close = value.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || !IPAddress.TryParse(value[1..close], out IPAddress? v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                problem = "has brackets but no IPv6 address inside them";
                return false;
            }

            if (close + 1 >= value.Length || value[close + 1] != ':')
            {
                problem = "has no port after the address";
                return false;
            }

            host = v6.ToString();
            port = value[(close + 2)..];
        }
        else
        {
            int colon = value.LastIndexOf(':');
            if (colon < 0)
            {
                problem = value.All(char.IsAsciiDigit)
                    ? $"is a port without an address (:{value} listens on every interface, 127.0.0.1:{value} on this machine only)"
                    : "has no port";
                return false;
            }

            if (value.IndexOf(':', StringComparison.Ordinal) != colon)
            {
                problem = "looks like an IPv6 address without the brackets it needs around it";
                return false;
            }

            host = value[..colon];
            port = value[(colon + 1)..];
            if (host is "" or "*")
            {
                host = "0.0.0.0";
            }
            else if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
            {
                host = "localhost";
            }
            else if (IPAddress.TryParse(host, out IPAddress? v4) && v4.AddressFamily == AddressFamily.InterNetwork && host.Count(c => c == '.') == 3)
            {
                host = v4.ToString();
            }
            else
            {
                problem = $"names `{host}`, which is not an IP address (berth listens on addresses; host names go under hosts:)";
                return false;
            }
        }

        if (port.Length == 0 || port.Length > 9 || !port.All(char.IsAsciiDigit))
        {
            problem = port.Length == 0 ? "has no port after the colon" : $"has `{port}` where the port number should be";
            return false;
        }

        address = new ListenAddress(host, int.Parse(port, NumberStyles.None, CultureInfo.InvariantCulture), null, source);
        return true;
    }
}
