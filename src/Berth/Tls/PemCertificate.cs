using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Berth.Tls;

/// <summary>A certificate and its key from PEM files, as certbot writes them: fullchain.pem (the leaf, then its
/// intermediates) and privkey.pem. The intermediates are sent in the handshake, so clients that only trust the root
/// can build the chain.</summary>
public static class PemCertificate
{
    public static SslStreamCertificateContext Load(string certFile, string keyFile)
    {
        X509Certificate2 leaf;
        var chain = new X509Certificate2Collection();
        try
        {
            leaf = X509Certificate2.CreateFromPemFile(certFile, keyFile);
            chain.ImportFromPemFile(certFile);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new CertificateException($"cannot read the certificate {certFile} with the key {keyFile}: {e.Message}; " +
                "give the PEM certificate (fullchain.pem) as cert: and its private key (privkey.pem) as key:", e);
        }
        catch (IOException e)
        {
            throw new CertificateException($"cannot read {certFile} or {keyFile}: {e.Message}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new CertificateException($"cannot read {certFile} or {keyFile}: {e.Message}; let the user berth runs as read them", e);
        }

        return ContextFor(leaf, chain.Skip(1));
    }

    /// <summary>offline: the chain comes from the file (or our CA), never fetched while a handshake waits.</summary>
    public static SslStreamCertificateContext ContextFor(X509Certificate2 leaf, IEnumerable<X509Certificate2> intermediates) =>
        SslStreamCertificateContext.Create(leaf, new X509Certificate2Collection(intermediates.ToArray()), offline: true);
}
