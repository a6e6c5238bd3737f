using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Berth.Tls;

/// <summary>
/// <c>tls: internal</c>: a certificate authority of this machine, made once and kept in storage (ca/root.crt,
/// ca/root.key 0600), that issues short-lived leaf certificates for the sites' names — Caddy's internal issuer, or
/// mkcert. Browsers trust it once the root is added to the system's trust store (<see cref="TrustAdvice"/>).
/// Leaves live a week and are issued again, without a reload, when a third of that is left (Master swaps them in
/// as it does ACME certificates), so a development server left running for a month never serves an expired one.
/// </summary>
public sealed class LocalCa
{
    // ECDSA P-256 as Caddy's and mkcert's roots use: small handshakes, accepted by every TLS 1.2 client.
    private static readonly TimeSpan RootLifetime = TimeSpan.FromDays(3650);

    // A week bounds the harm of a copied key; leaves are issued again at every start and reload, and when a third
    // of the week is left. Caddy's are 12h, renewed the same way.
    public static readonly TimeSpan DefaultLeafLifetime = TimeSpan.FromDays(7);

    // Clients whose clock runs a little behind still accept a leaf made this minute; never more than a sixth of a
    // (test's) short lifetime, or the one-third rule would find the leaf due the moment it is made.
    private static readonly TimeSpan Backdate = TimeSpan.FromMinutes(5);

    private readonly X509Certificate2 _root;
    private readonly TimeProvider _time;
    private readonly TimeSpan _leafLifetime;

    private LocalCa(X509Certificate2 root, string rootFile, bool created, TimeProvider time, TimeSpan leafLifetime)
    {
        _root = root;
        RootFile = rootFile;
        Created = created;
        _time = time;
        _leafLifetime = leafLifetime;
    }

    /// <summary>The root certificate to trust, in PEM.</summary>
    public string RootFile { get; }

    /// <summary>Whether this start made the CA (and should tell the user how to trust it).</summary>
    public bool Created { get; }

    public X509Certificate2 Root => _root;

    public string TrustAdvice =>
        $"to trust berth's local CA on this machine: sudo cp {RootFile} /usr/local/share/ca-certificates/berth-local-ca.crt && sudo update-ca-certificates " +
        $"(for curl alone: curl --cacert {RootFile}; Firefox keeps its own store: import {RootFile} under Settings → Certificates)";

    /// <param name="leafLifetime">How long leaves live; <see cref="DefaultLeafLifetime"/> unless a test asks for less.</param>
    public static LocalCa LoadOrCreate(StorageDirectory storage, TimeProvider time, TimeSpan? leafLifetime = null)
    {
        TimeSpan lifetime = leafLifetime ?? DefaultLeafLifetime;
        string directory = storage.EnsureDirectory("ca");
        string certFile = Path.Combine(directory, "root.crt");
        string keyFile = Path.Combine(directory, "root.key");
        using FileStream held = storage.Lock(TimeSpan.FromSeconds(30));
        if (File.Exists(certFile) && File.Exists(keyFile))
        {
            return new LocalCa(X509Certificate2.CreateFromPemFile(certFile, keyFile), certFile, created: false, time, lifetime);
        }

        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        DateTimeOffset now = time.GetUtcNow();
        var request = new CertificateRequest($"CN=Berth Local CA {now:yyyy-MM-dd}, O=Berth", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        X509Certificate2 root = request.CreateSelfSigned(now.AddHours(-1), now + RootLifetime);

        // Key first: a root.crt without its key would be "found" by the next start and fail there.
        StorageDirectory.WriteAtomic(keyFile, key.ExportPkcs8PrivateKeyPem(), secret: true);
        StorageDirectory.WriteAtomic(certFile, root.ExportCertificatePem(), secret: false);
        return new LocalCa(root, certFile, created: true, time, lifetime);
    }

    /// <summary>A fresh key and leaf certificate for <paramref name="names"/> (DNS names or IP addresses), with the root as its chain.</summary>
    public SslStreamCertificateContext Issue(IReadOnlyList<string> names)
    {
        // Not disposed: the leaf keeps using it for every handshake.
        ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={names[0]}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (string name in names)
        {
            if (IPAddress.TryParse(name, out IPAddress? ip))
            {
                san.AddIpAddress(ip);
            }
            else
            {
                san.AddDnsName(name);
            }
        }

        request.CertificateExtensions.Add(san.Build(critical: false));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1", "serverAuth")], critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_root, includeKeyIdentifier: true, includeIssuerAndSerial: false));

        DateTimeOffset now = _time.GetUtcNow();
        byte[] serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // a positive INTEGER (RFC 5280 4.1.2.2)
        TimeSpan backdate = _leafLifetime / 6 < Backdate ? _leafLifetime / 6 : Backdate;
        using X509Certificate2 issued = request.Create(_root, now - backdate, now + _leafLifetime, serial);
        X509Certificate2 leaf = issued.CopyWithPrivateKey(key);
        return PemCertificate.ContextFor(leaf, [_root]);
    }
}
