using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Berth.Acme;
using Berth.Config;
using Berth.Control;
using Berth.Tests.Acme;
using Berth.Tests.Edge.Static;
using Berth.Tls;
using Microsoft.Extensions.Logging.Abstractions;

namespace Berth.Tests.Tls;

/// <summary>Orders that fail before a certificate exists, against <see cref="AcmeStub"/> over real HTTP: the schedule,
/// the message and <c>berth cert status</c>'s view of them.</summary>
public sealed class AcmeCertificatesTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 16, 0, 0, TimeSpan.Zero);

    private readonly AcmeStub _stub = new();
    private readonly TcpListener _https = new(IPAddress.Loopback, 0); // stands for the edge's https port (TLS-ALPN-01)
    private readonly ManualTime _time = new(Now);
    private readonly string _storage = Directory.CreateTempSubdirectory("berth-acme-unit").FullName;

    public AcmeCertificatesTests() => _https.Start();

    private SiteConfig Site => new("main", [new ListenAddress("127.0.0.1", ((IPEndPoint)_https.LocalEndpoint).Port, null, SourceSpan.CommandLine)], ["rate.test"], [], [], SourceSpan.CommandLine)
    {
        Tls = new TlsConfig(TlsMode.Acme, null, null, SourceSpan.CommandLine) { Challenge = AcmeChallenge.TlsAlpn01 },
    };

    private AcmeCertificates Certificates(string storage) =>
        new(new ServerSettings { Storage = storage, AcmeDirectory = _stub.DirectoryUrl.ToString() }, new Http01Challenges(), new TlsAlpnChallenges(), NullLogger.Instance, _time);

    [Fact]
    public async Task A_429_waits_as_long_as_retry_after_asks_and_says_so_in_the_error_and_cert_status()
    {
        AcmeCertificates acme = Certificates(_storage);
        string? problem = await acme.RenewAsync(Site, CancellationToken.None);

        Assert.NotNull(problem);
        Assert.Contains("rate limit", problem, StringComparison.Ordinal);
        Assert.Contains("the current certificate keeps serving", problem, StringComparison.Ordinal);
        CertificateStatus status = acme.StatusOf(Site);
        Assert.Equal(Now.AddHours(1), status.NextRenewal); // Retry-After: 3600, not the 1 minute backoff
        Assert.Contains("rate limited: berth will try again at 2026-12-04 17:00:00Z, as the server's Retry-After asks", status.LastError, StringComparison.Ordinal);
        string stored = await File.ReadAllTextAsync(Path.Combine(_storage, "certificates", "rate.test", "last-error"));
        Assert.Contains("berth will try again at 2026-12-04 17:00:00Z", stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_retry_after_shorter_than_the_backoff_leaves_the_backoff_in_charge()
    {
        AcmeCertificates acme = Certificates(_storage);
        await acme.RenewAsync(Site, CancellationToken.None); // 1 hour, as asked; the backoff doubles to 2 minutes
        _stub.NewOrder = (429, [("Retry-After", "30")], """{"type":"urn:ietf:params:acme:error:rateLimited","detail":"slow down"}""");
        await acme.RenewAsync(Site, CancellationToken.None);
        Assert.Equal(Now.AddMinutes(2), acme.StatusOf(Site).NextRenewal);
    }

    [Fact]
    public async Task Unwritable_storage_orders_nothing_and_the_error_is_kept_in_memory_for_cert_status()
    {
        string file = Path.Combine(_storage, "not-a-directory");
        await File.WriteAllTextAsync(file, "");
        AcmeCertificates acme = Certificates(file);

        string? problem = await acme.RenewAsync(Site, CancellationToken.None);

        Assert.NotNull(problem);
        Assert.Contains($"preflight: the storage directory {file} is not writable", problem, StringComparison.Ordinal);
        Assert.Empty(_stub.Requests); // not even the directory was asked for
        CertificateStatus status = acme.StatusOf(Site);
        Assert.Contains("Fix: sudo install -d", status.LastError, StringComparison.Ordinal);
        Assert.Equal(Now.AddMinutes(1), status.NextRenewal);
    }

    [Fact]
    public async Task A_stored_certificate_is_renewed_inside_the_cas_renewal_window_not_by_the_one_third_rule()
    {
        string certId = StoreCertificate();
        DateTimeOffset start = DateTimeOffset.UtcNow.AddDays(10);
        _stub.RenewalInfo = (200, WindowJson(start, start.AddDays(1)), "3600");
        AcmeCertificates acme = Certificates(_storage);
        acme.LoadStored([Site]);

        CertificateStatus status = await RunUntilAsync(acme, s => s.NextRenewalReason?.Contains("renewal window", StringComparison.Ordinal) == true);

        Assert.InRange(status.NextRenewal!.Value, start, start.AddDays(1));
        Assert.Contains(_stub.Requests, r => r.Path == $"/ari/{certId}");
        Assert.DoesNotContain(_stub.Requests, r => r.Path == "/order");
    }

    [Fact]
    public async Task A_window_already_open_orders_at_once_naming_the_certificate_it_replaces()
    {
        string certId = StoreCertificate();
        _stub.RenewalInfo = (200, WindowJson(DateTimeOffset.UtcNow.AddDays(-2), DateTimeOffset.UtcNow.AddDays(-1)), null);
        AcmeCertificates acme = Certificates(_storage);
        acme.LoadStored([Site]);

        await RunUntilAsync(acme, s => s.LastError is not null); // the stub's newOrder answers 429

        string order = _stub.Requests.Single(r => r.Path == "/order").Payload;
        Assert.Equal(certId, System.Text.Json.Nodes.JsonNode.Parse(order)!["replaces"]!.GetValue<string>());
    }

    private static string WindowJson(DateTimeOffset start, DateTimeOffset end) =>
        new System.Text.Json.Nodes.JsonObject { ["suggestedWindow"] = new System.Text.Json.Nodes.JsonObject { ["start"] = start.ToString("O"), ["end"] = end.ToString("O") } }.ToJsonString();

    /// <summary>Runs the renewal loop until <paramref name="done"/> holds for the site's status, then stops it.</summary>
    private async Task<CertificateStatus> RunUntilAsync(AcmeCertificates acme, Func<CertificateStatus, bool> done)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Task loop = acme.RunAsync([Site], () => { }, stop.Token);
        try
        {
            while (!done(acme.StatusOf(Site)))
            {
                await Task.Delay(50, stop.Token);
            }

            return acme.StatusOf(Site);
        }
        finally
        {
            await stop.CancelAsync();
            await loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Puts a certificate for rate.test with plenty of life left in storage; returns its ARI certID.</summary>
    private string StoreCertificate()
    {
        byte[] keyId = RandomNumberGenerator.GetBytes(20);
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using X509Certificate2 certificate = RenewalInfoTests.Issue(keyId, [0x00, 0x9A, 0x01], key);
        string directory = Directory.CreateDirectory(Path.Combine(_storage, "certificates", "rate.test")).FullName;
        File.WriteAllText(Path.Combine(directory, "fullchain.pem"), certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "privkey.pem"), key.ExportPkcs8PrivateKeyPem());
        return $"{Base64Url.EncodeToString(keyId)}.{Base64Url.EncodeToString([0x00, 0x9A, 0x01])}";
    }

    public void Dispose()
    {
        _stub.Dispose();
        _https.Dispose();
    }
}
