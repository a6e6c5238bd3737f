using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Security.Cryptography;
using Berth.Acme;
using Berth.Config;

namespace Berth.Tls;

/// <summary>One finding of <see cref="OrderPreflight"/>: a blocking one skips the order (retried with the usual
/// backoff); a warning is logged and the order goes ahead.</summary>
public sealed record PreflightFinding(bool Blocking, string Message);

/// <summary>
/// What is checked on this machine before each ACME order, so that a person reads "example.com does not resolve;
/// create its A record" instead of the CA's "Timeout during connect (likely firewall problem)" an hour later, and
/// does not spend Let's Encrypt's failed-validation limit (5 an hour) on a mistake seen from here:
/// <list type="bullet">
/// <item>the storage directory is writable (else the certificate could not be kept: blocking);</item>
/// <item>each name resolves (blocking when it does not resolve at all), to an address of this machine (a warning:
///   a NAT or a load balancer may forward the ports, and a test ACME server has its own DNS);</item>
/// <item>the challenge's listener answers locally: berth's own answer to a probe token on redirect_from: for
///   HTTP-01 (RFC 8555 8.3), a TCP connection to the https address for TLS-ALPN-01 (RFC 8737).</item>
/// </list>
/// </summary>
public sealed class OrderPreflight
{
    // DNS and the local probes answer in milliseconds when all is well; these only bound a broken resolver or a
    // listener that accepts and never answers.
    private static readonly TimeSpan ResolveTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    private readonly Func<string, CancellationToken, Task<IPAddress[]>> _resolve;
    private readonly Func<IReadOnlyList<IPAddress>> _localAddresses;

    public OrderPreflight()
        : this(Dns.GetHostAddressesAsync, LocalAddresses)
    {
    }

    /// <param name="resolve">Name to addresses (DNS); a test passes its own.</param>
    /// <param name="localAddresses">The addresses of this machine's interfaces.</param>
    public OrderPreflight(Func<string, CancellationToken, Task<IPAddress[]>> resolve, Func<IReadOnlyList<IPAddress>> localAddresses)
    {
        _resolve = resolve;
        _localAddresses = localAddresses;
    }

    /// <summary>Every check for <paramref name="site"/>, blocking findings first.</summary>
    public async Task<IReadOnlyList<PreflightFinding>> CheckAsync(SiteConfig site, ServerSettings server, Http01Challenges challenges, CancellationToken cancellationToken)
    {
        var findings = new List<PreflightFinding>();
        if (CheckStorage(new StorageDirectory(server.Storage)) is { } storage)
        {
            findings.Add(storage);
        }

        bool localAcmeServer = IsLocal(new Uri(server.AcmeDirectory));
        foreach (string name in site.Hosts)
        {
            if (await CheckNameAsync(name, localAcmeServer, cancellationToken) is { } finding)
            {
                findings.Add(finding);
            }
        }

        PreflightFinding? port = site.Tls?.Challenge == AcmeChallenge.TlsAlpn01
            ? await CheckTlsPortAsync(site, cancellationToken)
            : await CheckHttp01Async(site, challenges, localAcmeServer, cancellationToken);
        if (port is not null)
        {
            findings.Add(port);
        }

        return findings.OrderByDescending(f => f.Blocking).ToArray();
    }

    /// <summary>Creates and deletes a file in storage: the account key, the certificate and its key go there.</summary>
    public static PreflightFinding? CheckStorage(StorageDirectory storage)
    {
        string probe = Path.Combine(storage.Root, $".preflight-{Environment.ProcessId}.tmp");
        try
        {
            storage.EnsureDirectory();
            File.WriteAllText(probe, "");
            File.Delete(probe);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CertificateException)
        {
            string user = Environment.UserName;
            return new PreflightFinding(true,
                $"the storage directory {storage.Root} is not writable by the user berth runs as ({user}): {(e.InnerException ?? e).Message.TrimEnd('.')}; " +
                $"nothing is ordered, since the certificate could not be kept. Fix: sudo install -d -o {user} -m 700 {storage.Root}, " +
                $"or set server: storage: to a directory {user} may write");
        }
    }

    /// <param name="localAcmeServer">The ACME directory is on this machine (a test server such as pebble, which
    /// resolves names through its own DNS): a name this machine cannot resolve is then only a warning.</param>
    public async Task<PreflightFinding?> CheckNameAsync(string name, bool localAcmeServer, CancellationToken cancellationToken)
    {
        if (name.StartsWith("*.", StringComparison.Ordinal) || IPAddress.TryParse(name, out _))
        {
            return null; // a wildcard has no address of its own; an IP literal is what it is
        }

        IPAddress[] addresses;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ResolveTimeout);
        try
        {
            addresses = await _resolve(name, timeout.Token);
        }
        catch (Exception e) when (e is SocketException or ArgumentException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            string why = e is OperationCanceledException ? $"no DNS answer in {ResolveTimeout.TotalSeconds:0} s" : e.Message;
            return localAcmeServer
                ? new PreflightFinding(false, $"{name} does not resolve on this machine ({why}); ordering anyway, as the ACME server is on this machine and resolves names its own way")
                : new PreflightFinding(true, $"{name} does not resolve ({why}), so the ACME server cannot reach this machine under that name. " +
                    $"Fix: create a DNS A record (and AAAA for IPv6) for {name} pointing at this server's address {ServerAddress()}; berth tries again with its usual backoff");
        }

        HashSet<IPAddress> local = _localAddresses().Select(Normalize).ToHashSet();
        IPAddress[] found = addresses.Select(Normalize).ToArray();
        if (found.Length == 0)
        {
            return new PreflightFinding(!localAcmeServer, $"{name} resolves to no address. Fix: create a DNS A record (and AAAA for IPv6) for {name} pointing at this server's address {ServerAddress()}");
        }

        if (found.Any(a => IPAddress.IsLoopback(a) || local.Contains(a)))
        {
            return null;
        }

        return new PreflightFinding(false,
            $"{name} resolves to {string.Join(", ", found.Select(a => a.ToString()))}, which is not an address of this machine ({string.Join(", ", local.Where(a => !IPAddress.IsLoopback(a)).Select(a => a.ToString()))}); " +
            $"ordering anyway, in case a NAT or load balancer forwards to this machine, but the validation will fail if none does. " +
            $"Fix: point the DNS A/AAAA record of {name} at this server's address {ServerAddress()}");
    }

    /// <summary>GETs a probe token berth's edge answers, on redirect_from:, as the ACME server will (RFC 8555 8.3).</summary>
    public static async Task<PreflightFinding?> CheckHttp01Async(SiteConfig site, Http01Challenges challenges, bool localAcmeServer, CancellationToken cancellationToken)
    {
        if (site.Tls?.RedirectFrom is not { } listener)
        {
            return new PreflightFinding(true, $"site {site.Name} answers HTTP-01 but has no plain HTTP address for it. Fix: add redirect_from: \":80\" under its tls:, or use challenge: tls-alpn-01");
        }

        if (listener.IsUnix)
        {
            return null; // a proxy in front forwards port 80 to this socket; nothing here can check that path
        }

        string token = AccountKey.Base64Url(RandomNumberGenerator.GetBytes(16));
        string expected = $"{token}.berth-preflight";
        string host = LocalHost(listener);
        var url = new Uri($"http://{(host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host)}:{listener.Port}/.well-known/acme-challenge/{token}");
        challenges.Add(token, expected);
        try
        {
            using var http = new HttpClient { Timeout = ProbeTimeout };
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Host = site.Hosts[0]; // only sites with names are ordered for
            using HttpResponseMessage response = await http.SendAsync(request, cancellationToken);
            string body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (body != expected)
            {
                return new PreflightFinding(true, $"{url} (redirect_from: of site {site.Name}) answered {(int)response.StatusCode} without berth's challenge answer: something other than berth answers there. " +
                    "Fix: stop the other server on that port (nginx, apache2: sudo systemctl disable --now nginx), so berth's edge receives the ACME server's HTTP-01 check");
            }
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new PreflightFinding(true, $"{url} (redirect_from: of site {site.Name}) does not answer from this machine: {Reason(e)}. " +
                $"The ACME server's HTTP-01 check arrives there. Fix: let berth listen on {listener} (another program may hold the port: sudo ss -ltnp 'sport = :{listener.Port}'), or use challenge: tls-alpn-01");
        }
        finally
        {
            challenges.Remove(token);
        }

        return listener.Port != 80 && !localAcmeServer
            ? new PreflightFinding(false, $"redirect_from: of site {site.Name} is {listener}, but a public CA checks HTTP-01 on port 80 only (RFC 8555 8.3); ordering anyway, in case port 80 is forwarded to it")
            : null;
    }

    /// <summary>Connects to the site's https address, where the ACME server's TLS-ALPN-01 handshake arrives (RFC 8737 3).</summary>
    public static async Task<PreflightFinding?> CheckTlsPortAsync(SiteConfig site, CancellationToken cancellationToken)
    {
        if (site.Listen.FirstOrDefault(l => !l.IsUnix) is not { } listener)
        {
            return null;
        }

        string host = LocalHost(listener);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(host, listener.Port, timeout.Token);
            return null;
        }
        catch (Exception e) when (e is SocketException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new PreflightFinding(true, $"{host}:{listener.Port} (listen: of site {site.Name}) does not accept connections from this machine: {Reason(e)}. " +
                $"The ACME server's TLS-ALPN-01 check arrives there. Fix: let berth listen on {listener} (another program may hold the port: sudo ss -ltnp 'sport = :{listener.Port}')");
        }
    }

    /// <summary>Whether <paramref name="directory"/> is served from this machine (localhost or a loopback address).</summary>
    public static bool IsLocal(Uri directory) =>
        directory.IsLoopback || (IPAddress.TryParse(directory.Host.Trim('[', ']'), out IPAddress? ip) && IPAddress.IsLoopback(ip));

    /// <summary>The address to put in the DNS record: this machine's first global IPv4 address, else IPv6.</summary>
    private string ServerAddress()
    {
        IPAddress[] candidates = _localAddresses().Select(Normalize)
            .Where(a => !IPAddress.IsLoopback(a) && !a.IsIPv6LinkLocal && !a.IsIPv6SiteLocal && !(a.AddressFamily == AddressFamily.InterNetwork && a.GetAddressBytes()[0] == 169))
            .OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1).ToArray();
        return candidates.Length > 0 ? candidates[0].ToString() : "(its public address)";
    }

    /// <summary>Where to reach <paramref name="listener"/> from this machine: a wildcard address is reached on loopback.</summary>
    private static string LocalHost(ListenAddress listener) => listener.Host switch
    {
        "" or "0.0.0.0" or "*" => "127.0.0.1",
        "::" => "::1",
        { } host => host,
    };

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private static string Reason(Exception e) => e is OperationCanceledException ? $"no answer in {ProbeTimeout.TotalSeconds:0} s" : e.InnerException?.Message ?? e.Message;

    private static IReadOnlyList<IPAddress> LocalAddresses() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(i => i.OperationalStatus is OperationalStatus.Up or OperationalStatus.Unknown)
            .SelectMany(i => i.GetIPProperties().UnicastAddresses.Select(u => u.Address))
            .ToArray();
}
