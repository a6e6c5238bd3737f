using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Berth.IntegrationTests;

/// <summary>A throwaway CA for the TLS tests, leaf certificates from it as PEM files, and clients that trust only it.</summary>
public sealed class TestCertificates
{
    private readonly ECDsa _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TestCertificates()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("berth-certs").FullName;
        var request = new CertificateRequest("CN=Berth Test CA", _caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        Ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-365), DateTimeOffset.UtcNow.AddDays(365));
        CaFile = Path.Combine(Directory, "ca.pem");
        File.WriteAllText(CaFile, Ca.ExportCertificatePem());
    }

    public string Directory { get; }

    public X509Certificate2 Ca { get; }

    public string CaFile { get; }

    /// <summary>Writes NAME.crt (leaf, then the CA as its chain) and NAME.key for <paramref name="hosts"/>; returns both paths.</summary>
    public (string Cert, string Key) Issue(string name, params string[] hosts) =>
        Issue(name, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(12), hosts);

    public (string Cert, string Key) Issue(string name, DateTimeOffset notBefore, DateTimeOffset notAfter, params string[] hosts)
    {
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={hosts[0]}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (string host in hosts)
        {
            san.AddDnsName(host);
        }

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        // As every public CA's leaves have it; ACME Renewal Information names a certificate by it (RFC 9773 4.1).
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Ca, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        using X509Certificate2 leaf = request.Create(Ca, notBefore, notAfter, RandomNumberGenerator.GetBytes(12));
        string cert = Path.Combine(Directory, name + ".crt");
        string keyFile = Path.Combine(Directory, name + ".key");
        File.WriteAllText(cert, leaf.ExportCertificatePem() + "\n" + Ca.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        return (cert, keyFile);
    }

    /// <summary>A client that connects every name to 127.0.0.1:<paramref name="port"/> (so SNI carries the name), trusts only
    /// <paramref name="root"/> (default: this CA), and records the certificate of each handshake in <paramref name="seen"/>.</summary>
    public static HttpClient Client(int port, X509Certificate2 root, List<X509Certificate2> seen)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, token) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), token);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, presentedChain, errors) =>
        {
            var presented = new X509Certificate2(certificate!);
            lock (seen)
            {
                seen.Add(presented);
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(root);
            if (presentedChain is not null)
            {
                chain.ChainPolicy.ExtraStore.AddRange(presentedChain.ChainPolicy.ExtraStore); // the intermediates the server sent
            }

            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return (errors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0 && chain.Build(presented);
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
    }
}
