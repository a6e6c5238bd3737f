using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using Berth.Acme;
using Berth.Config;
using Berth.Control;
using Microsoft.Extensions.Logging;

namespace Berth.Tls;

/// <summary>
/// The certificates of <c>tls: acme</c> sites: kept in storage (certificates/NAME/fullchain.pem, privkey.pem 0600,
/// and the account key in acme/account.key), ordered when missing, and renewed when the CA's renewal window says
/// (ACME Renewal Information, RFC 9773) or, when the CA offers none, when a third of their lifetime is left (as
/// Caddy and certbot do), while the old certificate keeps serving. Each order is preceded by
/// <see cref="OrderPreflight"/>; a failed one is retried with <see cref="OrderBackoff"/>, which honours the
/// server's Retry-After on a 429.
/// </summary>
public sealed partial class AcmeCertificates
{
    private static readonly TimeSpan CheckEvery = TimeSpan.FromHours(1);

    // After a failed renewalInfo request the one-third rule decides; ARI is asked again this much later.
    private static readonly TimeSpan RenewalInfoRetry = TimeSpan.FromHours(1);

    private readonly ServerSettings _server;
    private readonly StorageDirectory _storage;
    private readonly Http01Challenges _challenges;
    private readonly TlsAlpnChallenges _tlsAlpn;
    private readonly OrderPreflight _preflight;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, Schedule> _schedules = new(StringComparer.Ordinal);

    // One pending wake is enough: a look covers every site.
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private volatile ImmutableDictionary<string, (SslStreamCertificateContext Context, X509Certificate2 Leaf)> _bySite =
        ImmutableDictionary<string, (SslStreamCertificateContext, X509Certificate2)>.Empty;

    public AcmeCertificates(ServerSettings server, Http01Challenges challenges, TlsAlpnChallenges tlsAlpn, ILogger logger, TimeProvider time, OrderPreflight? preflight = null)
    {
        _tlsAlpn = tlsAlpn;
        _server = server;
        _storage = new StorageDirectory(server.Storage);
        _challenges = challenges;
        _preflight = preflight ?? new OrderPreflight();
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

    /// <summary>Makes <see cref="RunAsync(Func{IReadOnlyList{SiteConfig}}, Action, CancellationToken)"/> look at every
    /// site now rather than when the next is due: a reload added a site, whose certificate is missing.</summary>
    public void Wake() => _wake.Writer.TryWrite(true);

    /// <summary>Orders what is missing or due, then wakes when the next site is due (an hour at most), or at
    /// <see cref="Wake"/>; <paramref name="changed"/> runs after each new certificate.</summary>
    public Task RunAsync(IReadOnlyList<SiteConfig> sites, Action changed, CancellationToken cancellationToken) =>
        RunAsync(() => sites, changed, cancellationToken);

    /// <param name="sites">Asked at each look: a reload of berth.yml may have added or removed sites.</param>
    public async Task RunAsync(Func<IReadOnlyList<SiteConfig>> sites, Action changed, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            DateTimeOffset now = _time.GetUtcNow(), wake = now + CheckEvery;
            foreach (SiteConfig site in AcmeSites(sites()))
            {
                DateTimeOffset next = await VisitAsync(site, changed, cancellationToken);
                wake = next < wake ? next : wake;
            }

            // A second at least: a due time that does not move (a clock set back) must not spin the loop.
            TimeSpan wait = wake - _time.GetUtcNow();
            using var nap = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            await Task.WhenAny(
                Task.Delay(wait > TimeSpan.FromSeconds(1) ? wait : TimeSpan.FromSeconds(1), _time, nap.Token),
                _wake.Reader.WaitToReadAsync(nap.Token).AsTask());
            await nap.CancelAsync(); // the other of the two
            _wake.Reader.TryRead(out _);
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
        catch (Exception e) when (IsOrderFailure(e, cancellationToken))
        {
            return $"site {site.Name}: {e.Message}; the current certificate keeps serving";
        }
    }

    public DateTime? NotAfter(string site) => _bySite.TryGetValue(site, out var held) ? held.Leaf.NotAfter.ToUniversalTime() : null;

    /// <summary>What <c>berth cert status</c> shows from the running server: when it will next order, and why the last order failed.</summary>
    public CertificateStatus StatusOf(SiteConfig site)
    {
        Schedule schedule = ScheduleOf(site);
        return schedule switch
        {
            { RetryAt: { } retryAt } when retryAt > _time.GetUtcNow() => new CertificateStatus(site.Name, retryAt, "retrying after a failed order", schedule.LastError),
            { RenewAt: { } renewAt } => new CertificateStatus(site.Name, renewAt, "inside the CA's renewal window, RFC 9773", schedule.LastError),
            _ when _bySite.TryGetValue(site.Name, out var held) => new CertificateStatus(site.Name, OneThirdRule.RenewalTime(held.Leaf), "a third of its lifetime left", schedule.LastError),
            _ => new CertificateStatus(site.Name, null, null, schedule.LastError),
        };
    }

    /// <summary>The last failed order's reason for <paramref name="site"/>, kept in storage for <c>berth cert status</c>.</summary>
    public static string LastErrorFile(StorageDirectory storage, SiteConfig site) => storage.PathOf("certificates", site.Hosts[0], "last-error");

    /// <summary>Orders for <paramref name="site"/> if it is due; returns when it wants looking at again.</summary>
    private async Task<DateTimeOffset> VisitAsync(SiteConfig site, Action changed, CancellationToken cancellationToken)
    {
        if (ScheduleOf(site).RetryAt is { } retryAt && _time.GetUtcNow() < retryAt)
        {
            return retryAt;
        }

        DateTimeOffset due = await DueAsync(site, cancellationToken);
        if (_time.GetUtcNow() < due)
        {
            DateTimeOffset recheck = ScheduleOf(site).RecheckAt;
            return recheck < due ? recheck : due;
        }

        try
        {
            await ObtainAsync(site, cancellationToken);
            changed();
        }
        catch (Exception e) when (IsOrderFailure(e, cancellationToken))
        {
            // logged, kept for cert status, and scheduled by ObtainAsync
        }

        return ScheduleOf(site).RetryAt ?? _time.GetUtcNow();
    }

    /// <summary>When <paramref name="site"/> should be renewed: now when it has no certificate, else a random time in
    /// the CA's renewal window (RFC 9773 4.2), asked again as its Retry-After says, else the one-third rule.</summary>
    private async Task<DateTimeOffset> DueAsync(SiteConfig site, CancellationToken cancellationToken)
    {
        if (!_bySite.TryGetValue(site.Name, out var held))
        {
            return DateTimeOffset.MinValue;
        }

        DateTimeOffset fallback = OneThirdRule.RenewalTime(held.Leaf);
        Schedule schedule = ScheduleOf(site);
        string certId;
        try
        {
            certId = RenewalInfo.CertId(held.Leaf);
        }
        catch (AcmeException)
        {
            return fallback; // no Authority Key Identifier: the CA could not tell which certificate we mean
        }

        DateTimeOffset now = _time.GetUtcNow();
        if (schedule.CertId == certId && now < schedule.RecheckAt)
        {
            return schedule.RenewAt ?? fallback;
        }

        try
        {
            using AccountKey throwaway = AccountKey.Create(); // renewalInfo is a plain GET: no account, storage untouched
            using AcmeClient client = CreateClient(throwaway);
            RenewalInfo? info = await client.GetRenewalInfoAsync(held.Leaf, cancellationToken);
            if (info is null)
            {
                Update(site, s => s with { CertId = certId, RenewAt = null, Window = null, RecheckAt = now + CheckEvery });
                return fallback;
            }

            // One draw per window: a new draw at every check would drift towards the window's start.
            bool sameWindow = schedule.CertId == certId && schedule.Window is { } window && window.Start == info.Start && window.End == info.End;
            DateTimeOffset renewAt = sameWindow && schedule.RenewAt is { } kept ? kept : info.ChooseTime(Random.Shared.NextDouble());
            Update(site, s => s with { CertId = certId, RenewAt = renewAt, Window = info, RecheckAt = now + info.RecheckAfter });
            if (!sameWindow)
            {
                LogRenewalWindow(site.Name, info.Start.UtcDateTime, info.End.UtcDateTime, info.ExplanationUrl is null ? "" : $" (why: {info.ExplanationUrl})", renewAt.UtcDateTime);
            }

            return renewAt;
        }
        catch (Exception e) when (IsOrderFailure(e, cancellationToken))
        {
            TimeSpan retry = e is AcmeException { RetryAfter: { } asked } && asked > RenewalInfoRetry ? asked : RenewalInfoRetry;
            Update(site, s => s with { CertId = certId, RenewAt = null, Window = null, RecheckAt = now + retry });
            LogRenewalInfoFailed(site.Name, e.Message, fallback.UtcDateTime);
            return fallback;
        }
    }

    private async Task ObtainAsync(SiteConfig site, CancellationToken cancellationToken)
    {
        try
        {
            await PreflightAsync(site, cancellationToken);
            await OrderAsync(site, cancellationToken);
        }
        catch (Exception e) when (IsOrderFailure(e, cancellationToken))
        {
            Failed(site, e);
            throw;
        }

        Update(site, _ => new Schedule());
        try
        {
            File.Delete(LastErrorFile(_storage, site));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // the certificate was written there a moment ago; a stale last-error is only cosmetic
        }
    }

    /// <summary>Blocking findings stop the order with their causes and fixes; warnings are logged and the order goes on.</summary>
    private async Task PreflightAsync(SiteConfig site, CancellationToken cancellationToken)
    {
        IReadOnlyList<PreflightFinding> findings = await _preflight.CheckAsync(site, _server, _challenges, cancellationToken);
        foreach (PreflightFinding warning in findings.Where(f => !f.Blocking))
        {
            LogPreflightWarning(site.Name, warning.Message);
        }

        // Every blocking finding at once, so that one round of fixes is enough.
        string[] blocking = findings.Where(f => f.Blocking).Select(f => f.Message).ToArray();
        if (blocking.Length > 0)
        {
            throw new CertificateException($"preflight: {string.Join("; and ", blocking)}");
        }
    }

    /// <summary>Schedules the retry (the backoff, or the server's longer Retry-After), logs the failure with when berth
    /// tries again, and keeps it for <c>berth cert status</c>: in storage, and in memory when storage is the problem.</summary>
    private void Failed(SiteConfig site, Exception e)
    {
        Schedule schedule = ScheduleOf(site);
        TimeSpan? retryAfter = (e as AcmeException)?.RetryAfter;
        TimeSpan delay = schedule.Backoff.DelayFor(retryAfter);
        DateTimeOffset now = _time.GetUtcNow(), retryAt = now + delay;
        bool rateLimited = e is AcmeException { RateLimited: true };
        string names = string.Join(", ", site.Hosts);
        string error = rateLimited
            ? $"{e.Message}; rate limited: berth will try again at {retryAt:u}{(retryAfter is null ? "" : ", as the server's Retry-After asks")}"
            : $"{e.Message}; berth will try again at {retryAt:u}";
        Update(site, s => s with { Backoff = s.Backoff.Next(), RetryAt = retryAt, LastError = $"{now:u} {error}" });
        if (rateLimited)
        {
            LogRateLimited(site.Name, names, e.Message, retryAt.UtcDateTime);
        }
        else
        {
            LogOrderFailed(site.Name, names, e.Message, retryAt.UtcDateTime);
        }

        try
        {
            _storage.EnsureDirectory(Path.Combine("certificates", site.Hosts[0]));
            StorageDirectory.WriteAtomic(LastErrorFile(_storage, site), $"{now:u} {error}\n", secret: false);
        }
        catch (Exception write) when (write is IOException or UnauthorizedAccessException or CertificateException)
        {
            // Storage is what failed (preflight said so): the error lives in memory, for `berth cert status` over the control socket.
        }
    }

    private async Task OrderAsync(SiteConfig site, CancellationToken cancellationToken)
    {
        using FileStream held = _storage.Lock(TimeSpan.FromMinutes(5)); // two berths never order at once
        using AccountKey account = LoadOrCreateAccount();
        using AcmeClient client = CreateClient(account);

        // RFC 9773 5: a renewal names the certificate it replaces, so the CA can relate them (and Let's Encrypt
        // exempts it from its new-order rate limits).
        string? replaces = null;
        if (_bySite.TryGetValue(site.Name, out var current) && ScheduleOf(site).Window is not null)
        {
            replaces = RenewalInfo.CertId(current.Leaf);
        }

        (string chain, string key) = await client.IssueAsync(site.Hosts, _server.AcmeEmail, _challenges, site.Tls?.Challenge == AcmeChallenge.TlsAlpn01 ? _tlsAlpn : null, replaces, cancellationToken);
        string directory = _storage.EnsureDirectory(Path.Combine("certificates", site.Hosts[0]));
        string keyFile = Path.Combine(directory, "privkey.pem"), chainFile = Path.Combine(directory, "fullchain.pem");
        StorageDirectory.WriteAtomic(keyFile, key, secret: true);
        StorageDirectory.WriteAtomic(chainFile, chain, secret: false);
        SslStreamCertificateContext context = PemCertificate.Load(chainFile, keyFile);
        _bySite = _bySite.SetItem(site.Name, (context, context.TargetCertificate));
        LogIssued(site.Name, string.Join(", ", site.Hosts), context.TargetCertificate.Issuer, context.TargetCertificate.NotAfter.ToUniversalTime());
    }

    private AcmeClient CreateClient(AccountKey account)
    {
        X509Certificate2Collection? trust = null;
        if (_server.AcmeCaBundle is { } bundle)
        {
            trust = [];
            trust.ImportFromPemFile(bundle);
        }

        return new AcmeClient(new Uri(_server.AcmeDirectory), account, trust, _time);
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

    private Schedule ScheduleOf(SiteConfig site) => _schedules.GetValueOrDefault(site.Name) ?? new Schedule();

    private void Update(SiteConfig site, Func<Schedule, Schedule> change) =>
        _schedules.AddOrUpdate(site.Name, _ => change(new Schedule()), (_, old) => change(old));

    private static bool IsOrderFailure(Exception e, CancellationToken cancellationToken) =>
        e is AcmeException or HttpRequestException or IOException or UnauthorizedAccessException or CertificateException
        || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    /// <summary>The sites berth orders certificates for: <c>tls: acme</c> with at least one name.</summary>
    internal static IEnumerable<SiteConfig> AcmeSites(IEnumerable<SiteConfig> sites) => sites.Where(s => s.Tls?.Mode == TlsMode.Acme && s.Hosts.Count > 0);

    /// <summary>A site's renewal state: the backoff after failures, and the CA's window for the certificate <see cref="CertId"/>.</summary>
    private sealed record Schedule
    {
        public OrderBackoff Backoff { get; init; } = OrderBackoff.Initial;

        public DateTimeOffset? RetryAt { get; init; }

        public string? LastError { get; init; }

        public string? CertId { get; init; }

        public RenewalInfo? Window { get; init; }

        public DateTimeOffset? RenewAt { get; init; }

        public DateTimeOffset RecheckAt { get; init; } = DateTimeOffset.MinValue;
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "site {Site}: certificate for {Names} issued by {Issuer}, valid until {NotAfter:u}")]
    private partial void LogIssued(string site, string names, string issuer, DateTime notAfter);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "site {Site}: could not get a certificate for {Names}: {Reason}; the current certificate (if any) keeps serving; trying again at {RetryAt:u}")]
    private partial void LogOrderFailed(string site, string names, string reason, DateTime retryAt);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "site {Site}: rate limited, no certificate for {Names} for now: {Reason}; the current certificate (if any) keeps serving; berth will try again at {RetryAt:u}")]
    private partial void LogRateLimited(string site, string names, string reason, DateTime retryAt);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "site {Site}: preflight: {Warning}")]
    private partial void LogPreflightWarning(string site, string warning);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "site {Site}: the CA suggests renewing between {Start:u} and {End:u}{Explanation}; berth will renew at {RenewAt:u} (RFC 9773)")]
    private partial void LogRenewalWindow(string site, DateTime start, DateTime end, string explanation, DateTime renewAt);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "site {Site}: could not ask the CA when to renew ({Reason}); renewing when a third of the certificate's lifetime is left, at {RenewAt:u}")]
    private partial void LogRenewalInfoFailed(string site, string reason, DateTime renewAt);
}
