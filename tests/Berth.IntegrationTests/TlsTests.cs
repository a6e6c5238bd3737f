using System.Diagnostics;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace Berth.IntegrationTests;

/// <summary>HTTPS as a user meets it: real handshakes from .NET, curl and openssl against the real berth.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class TlsTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly TestCertificates _certs = new();

    private static string WriteConfig(string yaml)
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory("berth-tls").FullName, "berth.yml");
        File.WriteAllText(path, yaml);
        return path;
    }

    /// <summary>One site, site.test on <paramref name="port"/>, serving the plain app with this certificate; <paramref name="moreTls"/>
    /// adds lines under tls:.</summary>
    private static string SiteTestConfig(int port, string cert, string key, string moreTls) => WriteConfig($"""
        {PlainApp}
        sites:
          main:
            listen: ["127.0.0.1:{port}"]
            hosts: [site.test]
            app: plain
            tls:
              cert: {cert}
              key: {key}
        {moreTls}
        """);

    /// <summary>The apps: block of a berth.yml serving tests/apps/plain_wsgi.py with one worker.</summary>
    internal static string PlainApp => $"""
        apps:
          plain:
            module: plain_wsgi:application
            python: {BerthProcess.SystemPython}
            chdir: {BerthProcess.AppsDir}
            workers: 1
        """;

    [Fact]
    public async Task Two_sites_on_one_port_each_get_their_certificate_by_sni_over_http2_and_the_app_sees_https()
    {
        (string certA, string keyA) = _certs.Issue("a", "a.test");
        (string certB, string keyB) = _certs.Issue("b", "b.test", "*.b.test");
        string files = Directory.CreateTempSubdirectory("berth-tls-b").FullName;
        File.WriteAllText(Path.Combine(files, "index.html"), "site b\n");
        int port = BerthProcess.FreePort();
        string config = WriteConfig($"""
            {PlainApp}
            sites:
              a:
                listen: ["127.0.0.1:{port}"]
                hosts: [a.test]
                app: plain
                tls:
                  cert: {certA}
                  key: {keyA}
              b:
                listen: ["127.0.0.1:{port}"]
                hosts: [b.test, "*.b.test"]
                static:
                  /: {files}
                tls:
                  cert: {certB}
                  key: {keyB}
            """);
        await using BerthProcess berth = await BerthProcess.StartAsync(["serve", "--config", config], bind: false, port: port);
        Assert.Contains($"https://127.0.0.1:{port}", berth.Output, StringComparison.Ordinal);

        var seen = new List<X509Certificate2>();
        using HttpClient client = TestCertificates.Client(port, _certs.Ca, seen);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"https://a.test:{port}/environ") { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using HttpResponseMessage a = await client.SendAsync(request);
        string b = await client.GetStringAsync(new Uri($"https://www.b.test:{port}/"));

        Assert.Equal(HttpVersion.Version20, a.Version);
        using JsonDocument environ = JsonDocument.Parse(await a.Content.ReadAsStringAsync());
        Assert.Equal("https", environ.RootElement.GetProperty("wsgi.url_scheme").GetString());
        Assert.Equal("site b\n", b);
        Assert.Equal(["CN=a.test", "CN=b.test"], seen.Select(c => c.Subject));
    }

    [Fact]
    public async Task Gunicorns_certfile_and_keyfile_serve_https_that_curl_reaches_over_http2_and_openssl_only_with_tls_1_2_or_1_3()
    {
        (string cert, string key) = _certs.Issue("site", "site.test");
        await using BerthProcess berth = await BerthProcess.StartAsync(
            ["serve", "plain_wsgi:application", "--python", BerthProcess.SystemPython, "--chdir", BerthProcess.AppsDir, "--certfile", cert, "--keyfile", key]);

        (int curlExit, string curl) = await RunAsync("curl", "-sS", "-i", "--http2", "--cacert", _certs.CaFile,
            "--resolve", $"site.test:{berth.Port}:127.0.0.1", $"https://site.test:{berth.Port}/hello");
        Assert.Equal(0, curlExit);
        Assert.StartsWith("HTTP/2 200", curl, StringComparison.Ordinal);
        Assert.EndsWith("Hello, World!", curl, StringComparison.Ordinal);

        string connect = $"127.0.0.1:{berth.Port}";
        (int tls11Exit, string tls11) = await RunAsync("openssl", "s_client", "-connect", connect, "-servername", "site.test", "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0");
        (int tls12Exit, string tls12) = await RunAsync("openssl", "s_client", "-connect", connect, "-servername", "site.test", "-tls1_2");
        (int tls13Exit, string tls13) = await RunAsync("openssl", "s_client", "-connect", connect, "-servername", "site.test", "-tls1_3");

        Assert.NotEqual(0, tls11Exit);
        Assert.Contains("Cipher is (NONE)", tls11, StringComparison.Ordinal);
        Assert.Equal(0, tls12Exit);
        Assert.Contains("TLSv1.2", tls12, StringComparison.Ordinal);
        Assert.Equal(0, tls13Exit);
        Assert.Contains("TLSv1.3", tls13, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reload_swaps_the_certificate_for_new_connections_while_an_open_one_keeps_working()
    {
        (string cert, string key) = _certs.Issue("site", "site.test");
        int port = BerthProcess.FreePort();
        string config = SiteTestConfig(port, cert, key, "");
        await using BerthProcess berth = await BerthProcess.StartAsync(["serve", "--config", config], bind: false, port: port);
        var seenByOld = new List<X509Certificate2>();
        using HttpClient old = TestCertificates.Client(port, _certs.Ca, seenByOld);
        Uri hello = new($"https://site.test:{port}/hello");
        Assert.Equal("Hello, World!", await old.GetStringAsync(hello));
        string firstSerial = seenByOld[0].SerialNumber;

        _certs.Issue("site", "site.test"); // certbot renewed the files in place
        berth.Signal(1);
        await berth.WaitForOutputAsync("certificates reloaded", Patience);

        var seenByNew = new List<X509Certificate2>();
        using HttpClient fresh = TestCertificates.Client(port, _certs.Ca, seenByNew);
        Assert.Equal("Hello, World!", await fresh.GetStringAsync(hello));
        Assert.Equal("Hello, World!", await old.GetStringAsync(hello));

        Assert.NotEqual(firstSerial, Assert.Single(seenByNew).SerialNumber);
        Assert.Single(seenByOld); // the open connection was not dropped: no second handshake
    }

    [Fact]
    public async Task The_plain_http_address_redirects_with_308_except_acme_challenges_and_https_answers_carry_hsts()
    {
        (string cert, string key) = _certs.Issue("site", "site.test");
        int port = BerthProcess.FreePort();
        int plain = BerthProcess.FreePort();
        string config = SiteTestConfig(port, cert, key, $"""
                  redirect_from: "127.0.0.1:{plain}"
                  hsts: 1h
            """);
        await using BerthProcess berth = await BerthProcess.StartAsync(["serve", "--config", config], bind: false, port: port);
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });

        using HttpResponseMessage get = await http.GetAsync(new Uri($"http://127.0.0.1:{plain}/hello?x=1"), CancellationToken.None);
        using var post = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{plain}/echo") { Content = new StringContent("body") };
        post.Headers.Host = "site.test";
        using HttpResponseMessage posted = await http.SendAsync(post);
        using HttpResponseMessage challenge = await http.GetAsync(new Uri($"http://127.0.0.1:{plain}/.well-known/acme-challenge/token"), CancellationToken.None);

        Assert.Equal(HttpStatusCode.PermanentRedirect, get.StatusCode);
        Assert.Equal($"https://127.0.0.1:{port}/hello?x=1", get.Headers.Location?.ToString());
        Assert.Equal(HttpStatusCode.PermanentRedirect, posted.StatusCode);
        Assert.Equal($"https://site.test:{port}/echo", posted.Headers.Location?.ToString());
        Assert.NotEqual(HttpStatusCode.PermanentRedirect, challenge.StatusCode);

        using HttpClient https = TestCertificates.Client(port, _certs.Ca, []);
        using HttpResponseMessage secure = await https.GetAsync(new Uri($"https://site.test:{port}/hello"), CancellationToken.None);
        Assert.Equal("max-age=3600", Assert.Single(secure.Headers.GetValues("Strict-Transport-Security")));
    }

    /// <summary>dev.test on <paramref name="port"/> with <c>tls: internal</c>, the local CA under <paramref name="storage"/>.</summary>
    private static string InternalSiteConfig(string storage, int port) => WriteConfig($"""
        server:
          storage: {storage}
        {PlainApp}
        sites:
          main:
            listen: ["127.0.0.1:{port}"]
            hosts: [dev.test]
            app: plain
            tls: internal
        """);

    [Fact]
    public async Task Tls_internal_makes_a_local_ca_once_with_a_private_key_and_says_how_to_trust_it()
    {
        string storage = Directory.CreateTempSubdirectory("berth-storage").FullName;
        int port = BerthProcess.FreePort();
        string config = InternalSiteConfig(storage, port);
        string rootFile = Path.Combine(storage, "ca", "root.crt");
        string firstRoot;
        await using (BerthProcess berth = await BerthProcess.StartAsync(["serve", "--config", config], bind: false, port: port))
        {
            Assert.Contains("update-ca-certificates", berth.Output, StringComparison.Ordinal);
            Assert.Contains(rootFile, berth.Output, StringComparison.Ordinal);
            firstRoot = File.ReadAllText(rootFile);
            using var root = X509Certificate2.CreateFromPem(firstRoot);
            using HttpClient client = TestCertificates.Client(port, root, []);
            Assert.Equal("Hello, World!", await client.GetStringAsync(new Uri($"https://dev.test:{port}/hello")));
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(storage, "ca", "root.key")));
        await using (BerthProcess again = await BerthProcess.StartAsync(["serve", "--config", config], bind: false, port: port))
        {
            Assert.Equal(firstRoot, File.ReadAllText(rootFile));
        }
    }

    [Fact]
    public async Task Tls_internal_leaves_are_issued_again_before_they_expire_and_swapped_in_without_dropping_open_connections()
    {
        string storage = Directory.CreateTempSubdirectory("berth-storage").FullName;
        int port = BerthProcess.FreePort();
        string config = InternalSiteConfig(storage, port);

        // Leaves of 9 s instead of a week: due with a third left, about 5.5 s after they are made.
        await using BerthProcess berth = await BerthProcess.StartAsync(["serve", "--config", config], bind: false, port: port,
            environment: new Dictionary<string, string> { ["BERTH_TEST_INTERNAL_LEAF_LIFETIME"] = "9" });
        using var root = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(storage, "ca", "root.crt")));
        var seenOpen = new List<X509Certificate2>();
        using HttpClient open = TestCertificates.Client(port, root, seenOpen);
        Assert.Equal("Hello, World!", await open.GetStringAsync(new Uri($"https://dev.test:{port}/hello")));

        await berth.WaitForOutputAsync("tls: internal certificates issued again", Patience);

        var seenNew = new List<X509Certificate2>();
        using HttpClient fresh = TestCertificates.Client(port, root, seenNew);
        Assert.Equal("Hello, World!", await fresh.GetStringAsync(new Uri($"https://dev.test:{port}/hello")));
        Assert.NotEqual(Assert.Single(seenOpen).SerialNumber, Assert.Single(seenNew).SerialNumber);

        // The connection made before the swap carries on with its certificate: no new handshake, no error.
        Assert.Equal("Hello, World!", await open.GetStringAsync(new Uri($"https://dev.test:{port}/hello")));
        Assert.Single(seenOpen);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(info)!;
        process.StandardInput.Close(); // s_client exits at end of input
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Patience);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }
}
