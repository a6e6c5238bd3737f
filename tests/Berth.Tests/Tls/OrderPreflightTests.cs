using System.Net;
using System.Net.Sockets;
using Berth.Acme;
using Berth.Config;
using Berth.Tls;

namespace Berth.Tests.Tls;

public sealed class OrderPreflightTests
{
    private static readonly IPAddress ThisServer = IPAddress.Parse("203.0.113.7");

    private static OrderPreflight With(Func<string, IPAddress[]> dns) =>
        new((name, _) => Task.FromResult(dns(name)), () => [IPAddress.Loopback, IPAddress.Parse("fe80::1"), ThisServer]);

    private static IPAddress[] NotFound(string name) => throw new SocketException((int)SocketError.HostNotFound);

    [Fact]
    public async Task A_name_that_does_not_resolve_stops_the_order_and_says_which_record_to_create()
    {
        PreflightFinding? finding = await With(NotFound).CheckNameAsync("example.com", localAcmeServer: false, CancellationToken.None);
        Assert.NotNull(finding);
        Assert.True(finding.Blocking);
        Assert.Contains("example.com does not resolve", finding.Message, StringComparison.Ordinal);
        Assert.Contains("create a DNS A record (and AAAA for IPv6) for example.com pointing at this server's address 203.0.113.7", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_an_acme_server_on_this_machine_a_name_that_does_not_resolve_here_is_only_a_warning()
    {
        PreflightFinding? finding = await With(NotFound).CheckNameAsync("acme.test", localAcmeServer: true, CancellationToken.None);
        Assert.NotNull(finding);
        Assert.False(finding.Blocking);
        Assert.Contains("ordering anyway", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_name_pointing_elsewhere_is_a_warning_with_the_address_to_put_in_the_record()
    {
        PreflightFinding? finding = await With(_ => [IPAddress.Parse("198.51.100.1")]).CheckNameAsync("example.com", localAcmeServer: false, CancellationToken.None);
        Assert.NotNull(finding);
        Assert.False(finding.Blocking);
        Assert.Contains("example.com resolves to 198.51.100.1, which is not an address of this machine", finding.Message, StringComparison.Ordinal);
        Assert.Contains("point the DNS A/AAAA record of example.com at this server's address 203.0.113.7", finding.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("203.0.113.7")]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("::ffff:203.0.113.7")]
    public async Task A_name_resolving_to_this_machine_or_loopback_passes(string address)
    {
        Assert.Null(await With(_ => [IPAddress.Parse("198.51.100.1"), IPAddress.Parse(address)]).CheckNameAsync("example.com", false, CancellationToken.None));
    }

    [Fact]
    public async Task A_wildcard_name_is_not_looked_up()
    {
        Assert.Null(await With(_ => throw new InvalidOperationException("looked up")).CheckNameAsync("*.example.com", false, CancellationToken.None));
    }

    [Fact]
    public void A_storage_directory_that_cannot_be_written_stops_the_order_naming_the_directory_the_user_and_the_fix()
    {
        string file = Path.GetTempFileName(); // a file where the directory should be: not writable even for root
        try
        {
            PreflightFinding? finding = OrderPreflight.CheckStorage(new StorageDirectory(file));
            Assert.NotNull(finding);
            Assert.True(finding.Blocking);
            Assert.Contains($"the storage directory {file} is not writable by the user berth runs as ({Environment.UserName})", finding.Message, StringComparison.Ordinal);
            Assert.Contains($"Fix: sudo install -d -o {Environment.UserName} -m 700 {file}", finding.Message, StringComparison.Ordinal);
            Assert.Contains("server: storage:", finding.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void A_writable_storage_directory_passes_and_is_left_as_it_was()
    {
        string directory = Directory.CreateTempSubdirectory("berth-preflight").FullName;
        Assert.Null(OrderPreflight.CheckStorage(new StorageDirectory(directory)));
        Assert.Empty(Directory.EnumerateFileSystemEntries(directory));
    }

    [Fact]
    public async Task Http_01_with_nothing_listening_on_redirect_from_stops_the_order()
    {
        int port = FreePort();
        PreflightFinding? finding = await OrderPreflight.CheckHttp01Async(Site(port), new Http01Challenges(), localAcmeServer: true, CancellationToken.None);
        Assert.NotNull(finding);
        Assert.True(finding.Blocking);
        Assert.Contains($"http://127.0.0.1:{port}/.well-known/acme-challenge/", finding.Message, StringComparison.Ordinal);
        Assert.Contains("does not answer from this machine", finding.Message, StringComparison.Ordinal);
        Assert.Contains($"sudo ss -ltnp 'sport = :{port}'", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_01_answered_by_another_server_stops_the_order_and_names_the_likely_culprit()
    {
        using var other = new HttpListener();
        int port = FreePort();
        other.Prefixes.Add($"http://*:{port}/"); // any Host: the probe sends the site name
        other.Start();
        Task answer = Task.Run(async () =>
        {
            HttpListenerContext context = await other.GetContextAsync();
            context.Response.StatusCode = 404;
            context.Response.Close();
        });
        PreflightFinding? finding = await OrderPreflight.CheckHttp01Async(Site(port), new Http01Challenges(), localAcmeServer: true, CancellationToken.None);
        await answer;
        Assert.NotNull(finding);
        Assert.True(finding.Blocking);
        Assert.Contains("answered 404 without berth's challenge answer", finding.Message, StringComparison.Ordinal);
        Assert.Contains("nginx", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_01_on_a_port_other_than_80_warns_when_the_acme_server_is_public()
    {
        using var edge = new HttpListener();
        int port = FreePort();
        edge.Prefixes.Add($"http://*:{port}/");
        edge.Start();
        var challenges = new Http01Challenges();
        Task answer = Task.Run(async () =>
        {
            // What berth's edge does with a pending token.
            HttpListenerContext context = await edge.GetContextAsync();
            string token = context.Request.Url!.AbsolutePath.Split('/')[^1];
            await context.Response.OutputStream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(challenges.Find(token) ?? ""));
            context.Response.Close();
        });
        PreflightFinding? finding = await OrderPreflight.CheckHttp01Async(Site(port), challenges, localAcmeServer: false, CancellationToken.None);
        await answer;
        Assert.NotNull(finding);
        Assert.False(finding.Blocking);
        Assert.Contains("a public CA checks HTTP-01 on port 80 only", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tls_alpn_01_with_the_https_port_closed_stops_the_order()
    {
        int port = FreePort();
        SiteConfig site = Site(port) with { Listen = [new ListenAddress("127.0.0.1", port, null, SourceSpan.CommandLine)] };
        PreflightFinding? finding = await OrderPreflight.CheckTlsPortAsync(site, CancellationToken.None);
        Assert.NotNull(finding);
        Assert.True(finding.Blocking);
        Assert.Contains($"127.0.0.1:{port} (listen: of site main) does not accept connections", finding.Message, StringComparison.Ordinal);
        Assert.Contains("TLS-ALPN-01", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_check_runs_and_the_blocking_findings_come_first()
    {
        string file = Path.GetTempFileName();
        try
        {
            var server = new ServerSettings { Storage = file, AcmeDirectory = "https://acme-v02.api.letsencrypt.org/directory" };
            IReadOnlyList<PreflightFinding> findings = await With(_ => [IPAddress.Parse("198.51.100.1")])
                .CheckAsync(Site(FreePort()), server, new Http01Challenges(), CancellationToken.None);

            Assert.Equal(new[] { true, true, false }, findings.Select(f => f.Blocking));
            Assert.Contains("storage directory", findings[0].Message, StringComparison.Ordinal);
            Assert.Contains("does not answer from this machine", findings[1].Message, StringComparison.Ordinal);
            Assert.Contains("resolves to 198.51.100.1", findings[2].Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("https://localhost:14000/dir", true)]
    [InlineData("https://127.0.0.1:14000/dir", true)]
    [InlineData("https://[::1]:14000/dir", true)]
    [InlineData("https://acme-v02.api.letsencrypt.org/directory", false)]
    public void An_acme_server_on_loopback_is_local(string url, bool local) => Assert.Equal(local, OrderPreflight.IsLocal(new Uri(url)));

    internal static SiteConfig Site(int redirectPort) =>
        new("main", [new ListenAddress("127.0.0.1", 1, null, SourceSpan.CommandLine)], ["example.com"], [], [], SourceSpan.CommandLine)
        {
            Tls = new TlsConfig(TlsMode.Acme, null, null, SourceSpan.CommandLine) { RedirectFrom = new ListenAddress("127.0.0.1", redirectPort, null, SourceSpan.CommandLine) },
        };

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
