using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Berth.Config;

namespace Berth.Tests.Config.Validators;

public sealed class TlsValidatorTests : IDisposable
{
    private const string Apps = "apps: { web: { module: app } }\n";

    private readonly ConfigFixture _files = new();

    private void WriteCertificate(string name)
    {
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using X509Certificate2 cert = new CertificateRequest("CN=example.test", key, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));
        _files.File(name + ".crt", cert.ExportCertificatePem());
        _files.File(name + ".key", key.ExportPkcs8PrivateKeyPem());
    }

    [Fact]
    public void Cert_key_redirect_and_hsts_are_read_with_paths_relative_to_the_file()
    {
        WriteCertificate("site");

        BerthConfig config = _files.Valid(Apps + "sites:\n  main:\n    app: web\n    tls:\n      cert: site.crt\n      key: site.key\n      redirect_from: \":8080\"\n      hsts: 1h\n");

        TlsConfig tls = config.Sites[0].Tls!;
        Assert.Equal((TlsMode.Files, Path.Combine(_files.Root, "site.crt"), Path.Combine(_files.Root, "site.key")), (tls.Mode, tls.CertFile, tls.KeyFile));
        Assert.Equal(("0.0.0.0:8080", TimeSpan.FromHours(1)), (tls.RedirectFrom?.ToString(), tls.Hsts));
    }

    [Fact]
    public void Internal_needs_no_files()
    {
        BerthConfig config = _files.Valid(Apps + "sites:\n  main:\n    app: web\n    tls: internal\n");

        Assert.Equal(TlsMode.Internal, config.Sites[0].Tls!.Mode);
    }

    [Fact]
    public void A_key_of_another_certificate_is_refused_at_check_time()
    {
        WriteCertificate("one");
        WriteCertificate("two");

        ConfigError error = _files.OneError(Apps + "sites:\n  main:\n    app: web\n    tls:\n      cert: one.crt\n      key: two.key\n", line: 6, key: "sites.main.tls.cert");

        Assert.Contains("one.crt", error.Message, StringComparison.Ordinal);
        Assert.Contains("private key of this certificate", error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Cert_without_key_says_which_is_missing()
    {
        WriteCertificate("one");

        ConfigError error = _files.OneError(Apps + "sites:\n  main:\n    app: web\n    tls:\n      cert: one.crt\n", line: 5, key: "sites.main.tls");

        Assert.Equal("has no key:", error.Message);
    }

    [Fact]
    public void A_plain_site_cannot_share_an_address_with_a_tls_one()
    {
        ConfigError error = _files.OneError(Apps + "sites:\n  a:\n    listen: \":8443\"\n    hosts: [a.test]\n    app: web\n    tls: internal\n  b:\n    listen: \":8443\"\n    hosts: [b.test]\n    app: web\n",
            line: 9, key: "sites.b.listen");

        Assert.Contains("serves HTTPS for site a", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Acme_needs_host_names()
    {
        ConfigError error = _files.OneError(Apps + "sites:\n  main:\n    app: web\n    tls: acme\n", line: 5, key: "sites.main.tls");

        Assert.Contains("hosts:", error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Acme_over_http_01_needs_a_plain_http_address()
    {
        ConfigError error = _files.OneError(Apps + "sites:\n  main:\n    hosts: [example.com]\n    app: web\n    tls:\n      issuer: acme\n", line: 6, key: "sites.main.tls");

        Assert.Contains("tls-alpn-01", error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Acme_alone_redirects_port_80_as_caddy_does()
    {
        BerthConfig config = _files.Valid(Apps + "sites:\n  main:\n    hosts: [example.com]\n    app: web\n    tls: acme\n");

        Assert.Equal((TlsMode.Acme, "0.0.0.0:80"), (config.Sites[0].Tls!.Mode, config.Sites[0].Tls!.RedirectFrom?.ToString()));
    }

    public void Dispose() => _files.Dispose();
}
