using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Berth.Acme;

namespace Berth.Tests.Acme;

public sealed class RenewalInfoTests
{
    [Fact]
    public void The_cert_id_is_the_authority_key_id_and_the_serial_in_base64url_as_in_rfc_9773_appendix_a()
    {
        // RFC 9773 4.1's example: keyIdentifier 69:88:5B:6B:87:46:40:41:E1:B3:7B:84:7B:A0:AE:2C:DE:01:C8:D4 and
        // serial 00:87:65:43:21 (the leading zero is part of the DER INTEGER and is kept).
        byte[] keyId = Convert.FromHexString("69885B6B87464041E1B37B847BA0AE2CDE01C8D4");
        using X509Certificate2 certificate = Issue(keyId, Convert.FromHexString("0087654321"));
        Assert.Equal("aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE", RenewalInfo.CertId(certificate));
    }

    [Fact]
    public void A_certificate_without_an_authority_key_id_cannot_be_asked_about_and_says_the_one_third_rule_decides()
    {
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using X509Certificate2 certificate = new CertificateRequest("CN=plain.test", key, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));
        var e = Assert.Throws<AcmeException>(() => RenewalInfo.CertId(certificate));
        Assert.Contains("no Authority Key Identifier", e.Message, StringComparison.Ordinal);
        Assert.Contains("one-third rule", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_window_is_read_with_its_explanation_and_the_recheck_from_retry_after()
    {
        RenewalInfo info = RenewalInfo.Parse("""
            { "suggestedWindow": { "start": "2026-01-02T04:00:00Z", "end": "2026-01-03T04:00:00Z" },
              "explanationURL": "https://acme.example.com/docs/ari" }
            """, TimeSpan.FromHours(2));
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 4, 0, 0, TimeSpan.Zero), info.Start);
        Assert.Equal(new DateTimeOffset(2026, 1, 3, 4, 0, 0, TimeSpan.Zero), info.End);
        Assert.Equal("https://acme.example.com/docs/ari", info.ExplanationUrl);
        Assert.Equal(TimeSpan.FromHours(2), info.RecheckAfter);
    }

    [Theory]
    [InlineData(null, 6 * 60)]          // no Retry-After: six hours, as Let's Encrypt sends
    [InlineData(5, 1)]                  // a few seconds: a minute at least
    [InlineData(7 * 24 * 3600, 24 * 60)] // a week: a day at most, so a moved window is seen
    public void The_recheck_follows_retry_after_within_a_minute_and_a_day(int? retryAfterSeconds, int minutes)
    {
        RenewalInfo info = RenewalInfo.Parse("""{"suggestedWindow":{"start":"2026-01-02T04:00:00Z","end":"2026-01-03T04:00:00Z"}}""",
            retryAfterSeconds is { } s ? TimeSpan.FromSeconds(s) : null);
        Assert.Equal(TimeSpan.FromMinutes(minutes), info.RecheckAfter);
        Assert.Null(info.ExplanationUrl);
    }

    [Fact]
    public void The_renewal_time_is_drawn_inside_the_window()
    {
        RenewalInfo info = RenewalInfo.Parse("""{"suggestedWindow":{"start":"2026-01-02T00:00:00Z","end":"2026-01-03T00:00:00Z"}}""", null);
        Assert.Equal(info.Start, info.ChooseTime(0));
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 6, 0, 0, TimeSpan.Zero), info.ChooseTime(0.25));
        Assert.Equal(info.End, info.ChooseTime(1));
        for (int i = 0; i < 100; i++)
        {
            DateTimeOffset chosen = info.ChooseTime(Random.Shared.NextDouble());
            Assert.InRange(chosen, info.Start, info.End);
        }
    }

    [Theory]
    [InlineData("""{"suggestedWindow":{"start":"2026-01-03T00:00:00Z","end":"2026-01-02T00:00:00Z"}}""", "before it starts")]
    [InlineData("""{"suggestedWindow":{"start":"2026-01-02T00:00:00Z"}}""", "no suggestedWindow with start and end")]
    [InlineData("""{"window":{}}""", "no suggestedWindow with start and end")]
    [InlineData("<html>", "not JSON")]
    public void A_window_that_cannot_be_used_is_an_error_naming_what_is_wrong(string json, string expected)
    {
        var e = Assert.Throws<AcmeException>(() => RenewalInfo.Parse(json, null));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    /// <summary>A certificate for ari.test whose Authority Key Identifier and serial are exactly the given bytes,
    /// for <paramref name="key"/> (default: a fresh one), valid a day.</summary>
    internal static X509Certificate2 Issue(byte[] authorityKeyId, byte[] serial, ECDsa? key = null)
    {
        using ECDsa issuerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using ECDsa fresh = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        key ??= fresh;
        var request = new CertificateRequest("CN=ari.test", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(authorityKeyId));
        return request.Create(new X500DistinguishedName("CN=Test Issuer"), X509SignatureGenerator.CreateForECDsa(issuerKey),
            DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1), serial);
    }
}
