using System.Collections.Concurrent;
using System.Formats.Asn1;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Berth.Acme;

/// <summary>
/// The TLS-ALPN-01 answers pending now (RFC 8737): for a name under validation, a handshake that offers only
/// <c>acme-tls/1</c> gets a self-signed certificate for the name carrying the key authorization's SHA-256 in the
/// critical id-pe-acmeIdentifier extension. Other handshakes are not affected.
/// </summary>
public sealed class TlsAlpnChallenges
{
    public static readonly SslApplicationProtocol Protocol = new("acme-tls/1");

    // RFC 8737 3: id-pe-acmeIdentifier OBJECT IDENTIFIER ::= { id-pe 31 }
    private const string AcmeIdentifierOid = "1.3.6.1.5.5.7.1.31";

    private readonly ConcurrentDictionary<string, SslStreamCertificateContext> _answers = new(StringComparer.OrdinalIgnoreCase);

    public void Add(string name, string keyAuthorization) => _answers[name] = Create(name, keyAuthorization);

    public void Remove(string name) => _answers.TryRemove(name, out _);

    public SslStreamCertificateContext? Find(string? name) => name is null ? null : _answers.GetValueOrDefault(name);

    private static SslStreamCertificateContext Create(string name, string keyAuthorization)
    {
        ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256); // kept by the certificate for the validation's handshakes
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        request.CertificateExtensions.Add(san.Build());

        // extnValue: Authorization ::= OCTET STRING (SIZE (32)) -- SHA-256 of the key authorization
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteOctetString(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(keyAuthorization)));
        request.CertificateExtensions.Add(new X509Extension(AcmeIdentifierOid, writer.Encode(), critical: true));
        DateTimeOffset now = DateTimeOffset.UtcNow;
        X509Certificate2 certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
        return SslStreamCertificateContext.Create(certificate, [], offline: true);
    }
}
