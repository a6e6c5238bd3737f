using System.Collections.Immutable;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Berth.Acme;
using Berth.Config;
using Microsoft.Extensions.Logging;

namespace Berth.Tls;

/// <summary>
/// The certificates of <c>tls: acme</c> sites: kept in storage (certificates/NAME/fullchain.pem, privkey.pem 0600,
/// and the account key in acme/account.key), ordered when missing or when a third of their lifetime is left (as
/// Caddy and certbot do), while the old certificate keeps serving. A failed order is retried after 1 minute, then
/// doubling up to 6 hours.
/// </summary>
public sealed partial class AcmeCertificates
{
    private static readonly TimeSpan CheckEvery = TimeSpan.FromHours(1);
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan LastRetry = TimeSpan.FromHours(6);

    private readonly ServerSettings _server;
    private readonly StorageDirectory _storage;
    private readonly Http01Challenges _challenges;
    private readonly TlsAlpnChallenges _tlsAlpn;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private volatile ImmutableDictionary<string, (SslStreamCertificateContext Context, X509Certificate2 Leaf)> _bySite =
        ImmutableDictionary<string, (SslStreamCertificateContext, X509Certificate2)>.Empty;

    public AcmeCertificates(ServerSettings server, Http01Challenges challenges, TlsAlpnChallenges tlsAlpn, ILogger logger, TimeProvider time)
    {
        _tlsAlpn = tlsAlpn;
        _server = server;
        _storage = new StorageDirectory(server.Storage);
        _challenges = challenges;
        _logger = logger;
        _time = time;
    }

    public SslStreamCertificateContext? For(string site) => _bySite.TryGetValue(site, out var held) ? held.Context : null;

    /// <summary>Loads what storage holds for <paramref name="sites"/>; nothing is ordered here.</summary>
    public void LoadStored(IEnumerable<SiteConfig> sites)
    {
        foreach (SiteConfig site in AcmeSites(sites))
        {
            string directory = _storage.PathOf("certificates", site.Hosts[0]);
            string chain = Path.Combine(directory, "fullchain.pem");
            string key = Path.Combine(directory, "privkey.pem");
            if (File.Exists(chain) && File.Exists(key))
            {
                SslStreamCertificateContext context = PemCertificate.Load(chain, key);
                _bySite = _bySite.SetItem(site.Name, (context, context.TargetCertificate));
            }
        }
    }

    /// <summary>Orders what is missing or due, then checks again every hour; <paramref name="changed"/> runs after each new certificate.</summary>
    public async Task RunAsync(IReadOnlyList<SiteConfig> sites, Action changed, CancellationToken cancellationToken)
    {
        TimeSpan retry = FirstRetry;
        while (!cancellationToken.IsCancellationRequested)
        {
            bool failed = false;
            foreach (SiteConfig site in AcmeSites(sites).Where(Due))
            {
                try
                {
                    await ObtainAsync(site, cancellationToken);
                    changed();
                }
                catch (Exception e) when (e is AcmeException or HttpRequestException or IOException or CertificateException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    failed = true;
                    LogOrderFailed(site.Name, string.Join(", ", site.Hosts), e.Message, retry.TotalMinutes);
                }
            }

            await Task.Delay(failed ? retry : CheckEvery, _time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            retry = failed ? TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, LastRetry.Ticks)) : FirstRetry;
        }
    }

    /// <summary>Orders now, whatever the certificate's age (<c>berth cert renew</c>); null when done, else why not.</summary>
    public async Task<string?> RenewAsync(SiteConfig site, CancellationToken cancellationToken)
    {
        try
        {
            await ObtainAsync(site, cancellationToken);
            return null;
        }
        catch (Exception e) when (e is AcmeException or HttpRequestException or IOException or CertificateException)
        {
            LogOrderFailed(site.Name, string.Join(", ", site.Hosts), e.Message, 0);
            return $"site {site.Name}: {e.Message}; the current certificate keeps serving";
        }
    }

    public DateTime? NotAfter(string site) => _bySite.TryGetValue(site, out var held) ? held.Leaf.NotAfter.ToUniversalTime() : null;

    /// <summary>When a certificate is due: a third of its lifetime before it ends.</summary>
    public static DateTimeOffset RenewalTime(X509Certificate2 leaf)
    {
        DateTimeOffset notBefore = leaf.NotBefore.ToUniversalTime(), notAfter = leaf.NotAfter.ToUniversalTime();
        return notAfter - (notAfter - notBefore) / 3;
    }

    /// <summary>The last failed order's reason for <paramref name="site"/>, kept in storage for <c>berth cert status</c>.</summary>
    public static string LastErrorFile(StorageDirectory storage, SiteConfig site) => storage.PathOf("certificates", site.Hosts[0], "last-error");

    /// <summary>Missing, or with a third of its lifetime left.</summary>
    private bool Due(SiteConfig site)
    {
        if (!_bySite.TryGetValue(site.Name, out var held))
        {
            return true;
        }

        return _time.GetUtcNow() >= RenewalTime(held.Leaf);
    }

    private async Task ObtainAsync(SiteConfig site, CancellationToken cancellationToken)
    {
        try
        {
            await OrderAsync(site, cancellationToken);
            File.Delete(LastErrorFile(_storage, site));
        }
        catch (Exception e) when (e is AcmeException or HttpRequestException or IOException or CertificateException)
        {
            _storage.EnsureDirectory(Path.Combine("certificates", site.Hosts[0]));
            StorageDirectory.WriteAtomic(LastErrorFile(_storage, site), $"{_time.GetUtcNow():u} {e.Message}\n", secret: false);
            throw;
        }
    }

    private async Task OrderAsync(SiteConfig site, CancellationToken cancellationToken)
    {
        using FileStream held = _storage.Lock(TimeSpan.FromMinutes(5)); // two berths never order at once
        using AccountKey account = LoadOrCreateAccount();
        X509Certificate2Collection? trust = null;
        if (_server.AcmeCaBundle is { } bundle)
        {
            trust = [];
            trust.ImportFromPemFile(bundle);
        }

        using var client = new AcmeClient(new Uri(_server.AcmeDirectory), account, trust, _time);
        (string chain, string key) = await client.IssueAsync(site.Hosts, _server.AcmeEmail, _challenges, site.Tls?.Challenge == AcmeChallenge.TlsAlpn01 ? _tlsAlpn : null, cancellationToken);
        string directory = _storage.EnsureDirectory(Path.Combine("certificates", site.Hosts[0]));
        string keyFile = Path.Combine(directory, "privkey.pem"), chainFile = Path.Combine(directory, "fullchain.pem");
        StorageDirectory.WriteAtomic(keyFile, key, secret: true);
        StorageDirectory.WriteAtomic(chainFile, chain, secret: false);
        SslStreamCertificateContext context = PemCertificate.Load(chainFile, keyFile);
        _bySite = _bySite.SetItem(site.Name, (context, context.TargetCertificate));
        LogIssued(site.Name, string.Join(", ", site.Hosts), context.TargetCertificate.Issuer, context.TargetCertificate.NotAfter.ToUniversalTime());
    }

    private AccountKey LoadOrCreateAccount()
    {
        string file = Path.Combine(_storage.EnsureDirectory("acme"), "account.key");
        if (File.Exists(file))
        {
            return AccountKey.FromPem(File.ReadAllText(file));
        }

        AccountKey account = AccountKey.Create();
        StorageDirectory.WriteAtomic(file, account.ToPem(), secret: true);
        return account;
    }

    private static IEnumerable<SiteConfig> AcmeSites(IEnumerable<SiteConfig> sites) => sites.Where(s => s.Tls?.Mode == TlsMode.Acme && s.Hosts.Count > 0);

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "site {Site}: certificate for {Names} issued by {Issuer}, valid until {NotAfter:u}")]
    private partial void LogIssued(string site, string names, string issuer, DateTime notAfter);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "site {Site}: could not get a certificate for {Names}: {Reason}; the current certificate (if any) keeps serving; trying again in {Minutes} minutes")]
    private partial void LogOrderFailed(string site, string names, string reason, double minutes);
}
