using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;

namespace Berth.IntegrationTests;

/// <summary>Certificates from a real ACME server (pebble) over HTTP-01, answered by berth's own edge.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class AcmeTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly TestCertificates _certs = new();

    [Fact]
    public async Task A_stored_certificate_with_less_than_a_third_of_its_life_left_is_renewed_and_replaced_without_a_restart()
    {
        await using Pebble pebble = await Pebble.StartAsync(_certs);
        string storage = Directory.CreateTempSubdirectory("berth-acme").FullName;
        string stored = Directory.CreateDirectory(Path.Combine(storage, "certificates", "acme.test")).FullName;
        (string oldCert, string oldKey) = _certs.Issue("expiring", DateTimeOffset.UtcNow.AddDays(-60), DateTimeOffset.UtcNow.AddDays(10), "acme.test");
        File.Copy(oldCert, Path.Combine(stored, "fullchain.pem"));
        File.Copy(oldKey, Path.Combine(stored, "privkey.pem"));
        int port = BerthProcess.FreePort();
        string config = WriteConfig(storage, pebble, port, "[acme.test]");

        await using BerthProcess berth = await BerthProcess.StartAsync(["serve", "--config", config], bind: false, port: port);
        await berth.WaitForOutputAsync("certificate for acme.test issued by", Patience);

        X509Certificate2 root = await pebble.RootAsync(_certs, pebble.ManagementPort);
        var seen = new List<X509Certificate2>();
        using HttpClient client = TestCertificates.Client(port, root, seen);
        Assert.Equal("Hello, World!", await client.GetStringAsync(new Uri($"https://acme.test:{port}/hello")));
        Assert.Contains("Pebble", Assert.Single(seen).Issuer, StringComparison.Ordinal);
        using X509Certificate2 renewed = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(stored, "fullchain.pem")));
        Assert.Contains("Pebble", renewed.Issuer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_certificate_the_ca_wants_replaced_by_its_renewal_window_is_renewed_though_most_of_its_life_is_left()
    {
        await using Pebble pebble = await Pebble.StartAsync(_certs);
        using RenewalInfoFront front = await FrontOfAsync(pebble);
        string storage = Directory.CreateTempSubdirectory("berth-acme").FullName;
        string stored = Directory.CreateDirectory(Path.Combine(storage, "certificates", "ari.test")).FullName;
        (string oldCert, string oldKey) = _certs.Issue("fresh", DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(60), "ari.test");
        File.Copy(oldCert, Path.Combine(stored, "fullchain.pem"));
        File.Copy(oldKey, Path.Combine(stored, "privkey.pem"));

        // RFC 9773 4.1, computed here on its own: base64url(AKI keyIdentifier) "." base64url(serial).
        using X509Certificate2 old = X509Certificate2.CreateFromPem(File.ReadAllText(oldCert));
        byte[] keyId = _certs.Ca.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifierBytes.ToArray();
        string oldId = $"{System.Buffers.Text.Base64Url.EncodeToString(keyId)}.{System.Buffers.Text.Base64Url.EncodeToString(old.SerialNumberBytes.Span)}";
        front.Window = id => id == oldId
            ? (DateTimeOffset.UtcNow.AddHours(-2), DateTimeOffset.UtcNow.AddHours(-1)) // the CA wants it gone (a revocation coming, say)
            : (DateTimeOffset.UtcNow.AddDays(30), DateTimeOffset.UtcNow.AddDays(31));
        int port = BerthProcess.FreePort();
        string config = WriteConfig(storage, pebble, port, "[ari.test]", directory: front.DirectoryUrl);

        await using BerthProcess berth = await BerthProcess.StartAsync(["serve", "--config", config], bind: false, port: port);
        await berth.WaitForOutputAsync("certificate for ari.test issued by", Patience);

        Assert.Equal(oldId, front.Asked.First());
        Assert.Contains("the CA suggests renewing between", berth.Output, StringComparison.Ordinal);
        await AssertServedByPebbleAsync(pebble, port, "ari.test");

        // The new certificate's window is a month away: berth asks about it, and orders nothing more.
        await WaitForCountAsync(berth, "the CA suggests renewing between", 2);
        Assert.Equal(2, front.Asked.Distinct().Count());
        (_, string status) = await BerthProcess.RunAsync("cert", "status", "--config", config, "--control", berth.ControlPath!);
        Assert.Contains("(inside the CA's renewal window, RFC 9773)", status, StringComparison.Ordinal);
        Assert.Equal(1, Regex.Count(berth.Output, "certificate for ari.test issued by"));
    }

    [Fact]
    public async Task Unwritable_storage_stops_the_order_before_it_starts_with_the_cause_and_fix_in_the_log_and_in_cert_status()
    {
        using var acmeServer = new RenewalInfoFront(upstreamDirectory: null); // records whatever would be asked of it
        string directory = Directory.CreateTempSubdirectory("berth-acme").FullName;
        string storage = Path.Combine(directory, "storage-is-a-file");
        File.WriteAllText(storage, "");
        int port = BerthProcess.FreePort(), http = BerthProcess.FreePort();
        string config = Path.Combine(directory, "berth.yml");
        File.WriteAllText(config, $"""
            server:
              storage: {storage}
              acme_directory: {acmeServer.DirectoryUrl}
            {TlsTests.PlainApp}
            sites:
              main:
                listen: ["127.0.0.1:{port}"]
                hosts: [preflight.test]
                app: plain
                tls:
                  issuer: acme
                  redirect_from: "127.0.0.1:{http}"
            """);

        await using BerthProcess berth = await BerthProcess.StartAsync(["serve", "--config", config], bind: false, port: port);
        await berth.WaitForOutputAsync("is not writable by the user berth runs as", Patience);

        (int exit, string status) = await BerthProcess.RunAsync("cert", "status", "--config", config, "--control", berth.ControlPath!);
        Assert.True(exit == 0, status);
        Assert.Contains("certificate: none yet", status, StringComparison.Ordinal);
        Assert.Contains($"last error: ", status, StringComparison.Ordinal);
        Assert.Contains($"preflight: the storage directory {storage} is not writable by the user berth runs as ({Environment.UserName})", status, StringComparison.Ordinal);
        Assert.Contains("Fix: sudo install -d", status, StringComparison.Ordinal);
        Assert.Contains("berth will try again at", status, StringComparison.Ordinal);
        Assert.Empty(acmeServer.Requests);
    }

    [Fact]
    public async Task Tls_alpn_01_is_answered_in_the_handshake_on_the_https_port_with_no_plain_http_listener()
    {
        int port = BerthProcess.FreePort();
        await using Pebble pebble = await Pebble.StartAsync(_certs, tlsPort: port);
        string storage = Directory.CreateTempSubdirectory("berth-acme").FullName;
        string config = WriteConfig(storage, pebble, port, "[alpn.test]", "challenge: tls-alpn-01");

        await using BerthProcess berth = await BerthProcess.StartAsync(["serve", "--config", config], bind: false, port: port);
        await berth.WaitForOutputAsync("certificate for alpn.test issued by", Patience);

        X509Certificate2 root = await pebble.RootAsync(_certs, pebble.ManagementPort);
        var seen = new List<X509Certificate2>();
        using HttpClient client = TestCertificates.Client(port, root, seen);
        Assert.Equal("Hello, World!", await client.GetStringAsync(new Uri($"https://alpn.test:{port}/hello")));
        Assert.Contains("Pebble", Assert.Single(seen).Issuer, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", berth.Output.Split('\n').First(l => l.Contains("listening on", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reload_that_adds_the_first_tls_acme_site_gets_its_certificate_and_starts_the_renewals()
    {
        await using Pebble pebble = await Pebble.StartAsync(_certs);
        using RenewalInfoFront front = await FrontOfAsync(pebble);
        string? first = null;
        front.Window = id => (first ??= id) == id
            ? (DateTimeOffset.UtcNow.AddHours(-2), DateTimeOffset.UtcNow.AddHours(-1)) // the CA wants the first certificate replaced
            : (DateTimeOffset.UtcNow.AddDays(30), DateTimeOffset.UtcNow.AddDays(31));
        string storage = Directory.CreateTempSubdirectory("berth-acme").FullName;
        int port = BerthProcess.FreePort();
        string config = WriteConfig(storage, pebble, port, "[reload.test]", directory: front.DirectoryUrl, issuer: "internal");
        await using BerthProcess berth = await BerthProcess.StartAsync(["serve", "--config", config], bind: false, port: port);
        Assert.DoesNotContain("issued by", berth.Output, StringComparison.Ordinal);

        WriteConfig(storage, pebble, port, "[reload.test]", directory: front.DirectoryUrl);
        (int exit, string reloaded) = await BerthProcess.RunAsync("reload", "--control", berth.ControlPath!);
        Assert.True(exit == 0, reloaded);
        Assert.DoesNotContain("restart berth", reloaded, StringComparison.Ordinal);

        // Ordered at the reload, then renewed when the CA's window for it says: only a running renewal loop does that.
        await WaitForCountAsync(berth, "certificate for reload.test issued by", 2);
        Assert.Equal(2, Regex.Count(berth.Output, "certificate for reload.test issued by"));
        await AssertServedByPebbleAsync(pebble, port, "reload.test");
        await WaitForCountAsync(berth, "the CA suggests renewing between", 2);
        (_, string status) = await BerthProcess.RunAsync("cert", "status", "--config", config, "--control", berth.ControlPath!);
        Assert.Contains("(inside the CA's renewal window, RFC 9773)", status, StringComparison.Ordinal);
    }

    /// <summary>https://HOST:PORT/hello answers, with a certificate pebble issued.</summary>
    private async Task AssertServedByPebbleAsync(Pebble pebble, int port, string host)
    {
        X509Certificate2 root = await pebble.RootAsync(_certs, pebble.ManagementPort);
        var seen = new List<X509Certificate2>();
        using HttpClient client = TestCertificates.Client(port, root, seen);
        Assert.Equal("Hello, World!", await client.GetStringAsync(new Uri($"https://{host}:{port}/hello")));
        Assert.Contains("Pebble", Assert.Single(seen).Issuer, StringComparison.Ordinal);
    }

    private static async Task WaitForCountAsync(BerthProcess berth, string text, int count)
    {
        for (int i = 0; i < Patience.TotalSeconds * 10 && Regex.Count(berth.Output, Regex.Escape(text)) < count; i++)
        {
            await Task.Delay(100);
        }
    }

    /// <summary>A <see cref="RenewalInfoFront"/> before <paramref name="pebble"/>'s directory.</summary>
    private async Task<RenewalInfoFront> FrontOfAsync(Pebble pebble)
    {
        using HttpClient toPebble = TestCertificates.Client(new Uri(pebble.DirectoryUrl).Port, _certs.Ca, []);
        return new RenewalInfoFront(await toPebble.GetStringAsync(new Uri(pebble.DirectoryUrl)));
    }

    /// <param name="challengeLine">The tls: line choosing the challenge; by default HTTP-01 on pebble's HTTP port.</param>
    /// <param name="directory">Where berth finds the ACME directory; by default pebble's.</param>
    /// <param name="issuer">acme, or internal for a site that does not use ACME yet.</param>
    private string WriteConfig(string storage, Pebble pebble, int port, string hosts, string? challengeLine = null, string? directory = null, string issuer = "acme")
    {
        string config = Path.Combine(storage, "berth.yml");
        File.WriteAllText(config, $"""
            server:
              storage: {storage}
              acme_directory: {directory ?? pebble.DirectoryUrl}
              acme_ca_bundle: {_certs.CaFile}
              acme_email: admin@example.test
            {TlsTests.PlainApp}
            sites:
              main:
                listen: ["127.0.0.1:{port}"]
                hosts: {hosts}
                app: plain
                tls:
                  issuer: {issuer}
                  {challengeLine ?? $"redirect_from: \"127.0.0.1:{pebble.HttpPort}\""}
            """);
        return config;
    }

    [Fact]
    public async Task A_tls_acme_site_gets_its_certificate_over_http_01_shows_it_in_cert_status_renews_on_demand_and_keeps_it_across_a_restart()
    {
        await using Pebble pebble = await Pebble.StartAsync(_certs);
        string storage = Directory.CreateTempSubdirectory("berth-acme").FullName;
        int port = BerthProcess.FreePort();
        string config = WriteConfig(storage, pebble, port, "[acme.test, www.acme.test]");
        X509Certificate2 root;
        await using (BerthProcess berth = await BerthProcess.StartAsync(["serve", "--config", config], bind: false, port: port))
        {
            await berth.WaitForOutputAsync("certificate for acme.test, www.acme.test issued by", Patience);
            root = await pebble.RootAsync(_certs, pebble.ManagementPort);
            var seen = new List<X509Certificate2>();
            using HttpClient client = TestCertificates.Client(port, root, seen);
            Assert.Equal("Hello, World!", await client.GetStringAsync(new Uri($"https://www.acme.test:{port}/hello")));
            Assert.Contains("Pebble", Assert.Single(seen).Issuer, StringComparison.Ordinal);

            (int statusExit, string status) = await BerthProcess.RunAsync("cert", "status", "--config", config);
            Assert.True(statusExit == 0, status);
            Assert.Contains("site main: acme.test, www.acme.test", status, StringComparison.Ordinal);
            Assert.Contains("issuer: CN=Pebble Intermediate CA", status, StringComparison.Ordinal);
            Assert.Contains("next renewal: ", status, StringComparison.Ordinal);

            (int renewExit, string renewed) = await BerthProcess.RunAsync("cert", "renew", "acme.test", "--control", berth.ControlPath!);
            Assert.True(renewExit == 0, renewed);
            Assert.Contains("site main: new certificate for acme.test, www.acme.test", renewed, StringComparison.Ordinal);
            var seenAfter = new List<X509Certificate2>();
            using HttpClient fresh = TestCertificates.Client(port, root, seenAfter);
            Assert.Equal("Hello, World!", await fresh.GetStringAsync(new Uri($"https://acme.test:{port}/hello")));
            Assert.NotEqual(seen[0].SerialNumber, Assert.Single(seenAfter).SerialNumber);

            // The ACME server goes away: the order fails, says why, and the certificate in hand keeps serving.
            await pebble.DisposeAsync();
            (int failedExit, string failed) = await BerthProcess.RunAsync("cert", "renew", "--control", berth.ControlPath!);
            Assert.Equal(1, failedExit);
            Assert.Contains("the current certificate keeps serving", failed, StringComparison.Ordinal);
            var seenLater = new List<X509Certificate2>();
            using HttpClient later = TestCertificates.Client(port, root, seenLater);
            Assert.Equal("Hello, World!", await later.GetStringAsync(new Uri($"https://acme.test:{port}/hello")));
            Assert.Equal(seenAfter[0].SerialNumber, Assert.Single(seenLater).SerialNumber);
            (_, string statusAfterFailure) = await BerthProcess.RunAsync("cert", "status", "--config", config);
            Assert.Contains("last error: ", statusAfterFailure, StringComparison.Ordinal);
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(storage, "certificates", "acme.test", "privkey.pem")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(storage, "acme", "account.key")));

        await using (BerthProcess again = await BerthProcess.StartAsync(["serve", "--config", config], bind: false, port: port))
        {
            using HttpClient client = TestCertificates.Client(port, root, []);
            Assert.Equal("Hello, World!", await client.GetStringAsync(new Uri($"https://acme.test:{port}/hello")));
            Assert.DoesNotContain("issued by", again.Output, StringComparison.Ordinal);
        }
    }
}
