using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Berth.Deploy;

namespace Berth.Config;

/// <summary>
/// <c>deploy: hosts:</c> entries, <c>[user@]host[:port]</c> as ssh and Ansible inventories write them. An IPv6
/// address takes brackets when a port follows (<c>deploy@[2001:db8::1]:2222</c>, as in a URL); a bare one
/// (<c>2001:db8::1</c>) is read whole, since its last group cannot be told from a port.
/// </summary>
public static class DeployHostParser
{
    public static bool TryParse(string text, string defaultUser, out DeployHost? host, out string problem)
    {
        host = null;
        string rest = text.Trim();
        string user = defaultUser;
        int at = rest.LastIndexOf('@');
        if (at >= 0)
        {
            user = rest[..at];
            rest = rest[(at + 1)..];
            if (!IsUserName(user))
            {
                problem = user.Length == 0 ? "has an @ with no user before it" : $"has \"{user}\" as its user, which is not a user name";
                return false;
            }
        }

        string address;
        int port = DeployHost.DefaultPort;
        if (rest.StartsWith('['))
        {
            int close = rest.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                problem = "opens a [ for an IPv6 address and never closes it";
                return false;
            }

            address = rest[1..close];
            if (!IPAddress.TryParse(address, out IPAddress? ip) || ip.AddressFamily != AddressFamily.InterNetworkV6)
            {
                problem = $"has \"{address}\" in brackets, which is not an IPv6 address";
                return false;
            }

            string after = rest[(close + 1)..];
            if (after.Length > 0 && (!after.StartsWith(':') || !TryPort(after[1..], out port)))
            {
                problem = $"has \"{after}\" after the address, where only :PORT (1 to 65535) may stand";
                return false;
            }
        }
        else if (rest.Count(c => c == ':') > 1)
        {
            address = rest;
            if (!IPAddress.TryParse(address, out _))
            {
                problem = "has several colons but is not an IPv6 address; write an IPv6 address with a port as [ADDRESS]:PORT";
                return false;
            }
        }
        else
        {
            int colon = rest.IndexOf(':', StringComparison.Ordinal);
            address = colon < 0 ? rest : rest[..colon];
            if (colon >= 0 && !TryPort(rest[(colon + 1)..], out port))
            {
                problem = $"has \"{rest[(colon + 1)..]}\" as its port, which must be a number from 1 to 65535";
                return false;
            }

            if (!IsHostName(address))
            {
                problem = address.Length == 0 ? "names no host" : $"has \"{address}\" as its host, which is neither a host name nor an IP address";
                return false;
            }
        }

        host = new DeployHost(user, address, port);
        problem = "";
        return true;
    }

    private static bool TryPort(string text, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is >= 1 and <= 65535;

    // What ssh accepts and a shell never splits: letters, digits, and . _ - (also a leading digit: 10.0.0.5).
    private static bool IsHostName(string name) =>
        name.Length is > 0 and <= 253 && !name.StartsWith('-') && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_');

    // POSIX portable user names (and the $ of machine accounts), never starting with - (ssh would read an option).
    public static bool IsUserName(string name) =>
        name.Length is > 0 and <= 32 && !name.StartsWith('-') && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '$');
}
