using System.Security.Cryptography.X509Certificates;

namespace Berth.Tls;

/// <summary>
/// When a certificate is renewed without other advice: with a third of its lifetime left, as Caddy and certbot do
/// (30 days of Let's Encrypt's 90), which leaves weeks of retries before an outage of the CA or of DNS shows.
/// The same rule renews ACME certificates whose CA offers no renewal window (RFC 9773) and the short leaves of
/// <c>tls: internal</c>.
/// </summary>
public static class OneThirdRule
{
    public static DateTimeOffset RenewalTime(X509Certificate2 leaf)
    {
        DateTimeOffset notBefore = leaf.NotBefore.ToUniversalTime(), notAfter = leaf.NotAfter.ToUniversalTime();
        return notAfter - (notAfter - notBefore) / 3;
    }
}
