using System.Net.Security;
using Berth.Config;
using Berth.Edge;

namespace Berth.Tls;

/// <summary>
/// The certificate for each server name (SNI), built whole from one configuration and never changed: a reload builds
/// a new store and the edge swaps one reference, so handshakes after it get the new certificate while connections
/// already open keep theirs. Exact names first, then the longest <c>*.example.com</c>, then the default: the
/// certificate of the first site without names, else of the first site (for clients that send no SNI, such as
/// a request to an IP address).
/// </summary>
public sealed class CertificateStore
{
    public static readonly CertificateStore Empty = new();

    private readonly HostNameTable<SslStreamCertificateContext> _names = new();
    private SslStreamCertificateContext? _first;

    /// <summary>When the first <c>tls: internal</c> leaf of this store has a third of its lifetime left, and the store
    /// should be built again to issue fresh ones; null when there are none.</summary>
    public DateTimeOffset? InternalRenewal { get; private set; }

    public SslStreamCertificateContext? Find(string? serverName) =>
        (string.IsNullOrEmpty(serverName) ? _names.Default : _names.Find(serverName)) ?? _first;

    /// <summary>Loads every site's certificate; throws <see cref="CertificateException"/> naming the first that fails.</summary>
    /// <param name="localCa">Issues the certificates of <c>tls: internal</c> sites; needed when there are any.</param>
    /// <param name="acme">The certificates of <c>tls: acme</c> sites obtained so far; a site still waiting for one is left out.</param>
    public static CertificateStore Build(IEnumerable<SiteConfig> sites, LocalCa? localCa, AcmeCertificates? acme = null)
    {
        var store = new CertificateStore();
        foreach (SiteConfig site in sites)
        {
            if (site.Tls is not { } tls)
            {
                continue;
            }

            if (tls.Mode == TlsMode.Acme)
            {
                if (acme?.For(site.Name) is { } obtained)
                {
                    store.Add(obtained, site.Hosts);
                }

                continue;
            }

            SslStreamCertificateContext certificate = tls.Mode switch
            {
                TlsMode.Internal => (localCa ?? throw new InvalidOperationException("berth bug: tls: internal without a local CA"))
                    .Issue(site.Hosts.Count > 0 ? site.Hosts : ["localhost", "127.0.0.1", "::1"]),
                _ => PemCertificate.Load(tls.CertFile!, tls.KeyFile!),
            };
            if (tls.Mode == TlsMode.Internal)
            {
                DateTimeOffset due = OneThirdRule.RenewalTime(certificate.TargetCertificate);
                store.InternalRenewal = store.InternalRenewal is { } earlier && earlier < due ? earlier : due;
            }

            store.Add(certificate, site.Hosts);
        }

        return store;
    }

    private void Add(SslStreamCertificateContext certificate, IReadOnlyList<string> hosts)
    {
        _first ??= certificate;
        _names.Add(certificate, hosts);
    }
}
