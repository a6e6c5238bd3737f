using Berth.Tls;

namespace Berth.Config.Validators;

/// <summary>
/// A site's <c>tls:</c> needs both files, readable and matching, so a typo or a key from another certificate fails
/// <c>berth check</c> rather than every handshake. A listener is either HTTPS or plain: a site without tls: cannot
/// share an address with one that has it, and a redirect_from: address serves nothing else.
/// </summary>
public sealed class TlsValidator : IConfigValidator
{
    public IEnumerable<ConfigError> Validate(BerthConfig config)
    {
        foreach (SiteConfig site in config.Sites.Where(s => s.Tls is { Mode: TlsMode.Acme } && (s.Hosts.Count == 0 || s.Hosts.Any(h => h.Contains('*', StringComparison.Ordinal)))))
        {
            yield return config.SourceMap.Error(ConfigPath.Site(site.Name, ConfigSchema.Tls.Key), site.Tls!.Source,
                "needs the site's host names to order a certificate for, and HTTP-01 cannot validate a wildcard",
                "list the names under hosts:, such as [example.com, www.example.com], or use tls: internal or cert: and key: for this site");
        }

        foreach (SiteConfig site in config.Sites.Where(s => s.Tls is { Mode: TlsMode.Acme, Challenge: AcmeChallenge.Http01, RedirectFrom: null }))
        {
            yield return config.SourceMap.Error(ConfigPath.Site(site.Name, ConfigSchema.Tls.Key), site.Tls!.Source,
                "orders certificates with HTTP-01, which needs a plain HTTP address for the ACME server to reach",
                "add redirect_from: \":80\" under tls:, or set challenge: tls-alpn-01 to answer on the https port instead");
        }

        foreach (SiteConfig site in config.Sites)
        {
            if (site.Tls is not { Mode: TlsMode.Files } tls)
            {
                continue;
            }

            string block = ConfigPath.Site(site.Name, ConfigSchema.Tls.Key);
            if (tls.CertFile is null || tls.KeyFile is null)
            {
                Setting missing = tls.CertFile is null ? ConfigSchema.Cert : ConfigSchema.Key;
                yield return config.SourceMap.Error(block, tls.Source, $"has no {missing.Key}:",
                    $"give both cert: and key: (PEM files, such as certbot's fullchain.pem and privkey.pem), or write `tls: internal` for a certificate from berth's local CA");
                continue;
            }

            string? problem = null;
            try
            {
                PemCertificate.Load(tls.CertFile, tls.KeyFile);
            }
            catch (CertificateException e)
            {
                problem = e.Message;
            }

            if (problem is not null)
            {
                yield return config.SourceMap.Error(ConfigPath.Child(block, ConfigSchema.Cert.Key), tls.Source, problem,
                    File.Exists(tls.CertFile) ? "check that key: is the private key of this certificate" : $"correct the path, or create the certificate first");
            }
        }

        foreach (SiteConfig plain in config.Sites.Where(s => s.Tls is null))
        {
            foreach (ListenAddress address in plain.Listen)
            {
                if (config.Sites.FirstOrDefault(s => s.Tls is not null && s.Listen.Any(l => l.ToString() == address.ToString())) is { } secure)
                {
                    yield return config.SourceMap.Error(ConfigPath.Site(plain.Name, ConfigSchema.Listen.Key), address.Source,
                        $"{address} serves HTTPS for site {secure.Name}, but this site has no tls:",
                        "give this site a tls: too, or another address");
                }
            }
        }
    }
}
