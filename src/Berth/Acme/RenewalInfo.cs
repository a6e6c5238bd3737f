using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Berth.Acme;

/// <summary>
/// ACME Renewal Information (RFC 9773): the window in which the CA would like a certificate renewed, fetched
/// unauthenticated from <c>renewalInfo/CERTID</c>:
/// <code>
///   { "suggestedWindow": { "start": "2025-01-02T04:00:00Z", "end": "2025-01-03T04:00:00Z" },
///     "explanationURL": "https://acme.example.com/docs/ari" }          (explanationURL optional)
///   Retry-After: 21600                                                 (when to ask again, 4.3)
/// </code>
/// A CA moves the window earlier when it must revoke (a mis-issuance, a key compromise), so a client that follows
/// it replaces certificates before they are revoked rather than after.
/// </summary>
public sealed record RenewalInfo(DateTimeOffset Start, DateTimeOffset End, string? ExplanationUrl, TimeSpan RecheckAfter)
{
    // RFC 9773 4.3.2 leaves the polling interval to the client within what Retry-After asks. Let's Encrypt sends
    // six hours; we never ask more often than a minute (a broken header) nor less often than a day (a
    // server that asks for a week would let a revocation window slip by).
    public static readonly TimeSpan DefaultRecheck = TimeSpan.FromHours(6);
    private static readonly TimeSpan MinRecheck = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan MaxRecheck = TimeSpan.FromDays(1);

    /// <summary>
    /// The certificate's ARI identifier (RFC 9773 4.1): base64url of the Authority Key Identifier's keyIdentifier,
    /// a dot, base64url of the serial number's DER content octets (a leading zero byte kept):
    /// <code>  aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE  </code>
    /// </summary>
    /// <exception cref="AcmeException">The certificate has no Authority Key Identifier with a keyIdentifier.</exception>
    public static string CertId(X509Certificate2 certificate)
    {
        X509Extension? extension = certificate.Extensions.Cast<X509Extension>().FirstOrDefault(e => e.Oid?.Value == "2.5.29.35");
        ReadOnlyMemory<byte>? keyId = extension is null ? null : new X509AuthorityKeyIdentifierExtension(extension.RawData).KeyIdentifier;
        if (keyId is not { Length: > 0 } id)
        {
            throw new AcmeException($"the certificate {certificate.Subject} (serial {certificate.SerialNumber}) has no Authority Key Identifier, so its ACME Renewal Information cannot be asked for; the one-third rule decides its renewal");
        }

        return $"{AccountKey.Base64Url(id.Span)}.{AccountKey.Base64Url(certificate.SerialNumberBytes.Span)}";
    }

    /// <summary>Reads a renewalInfo answer; <paramref name="retryAfter"/> is its Retry-After header, if any.</summary>
    /// <exception cref="AcmeException">The body is not a renewalInfo object with a window whose end follows its start.</exception>
    public static RenewalInfo Parse(string json, TimeSpan? retryAfter)
    {
        JsonObject? body;
        try
        {
            body = JsonNode.Parse(json) as JsonObject;
        }
        catch (JsonException e)
        {
            throw new AcmeException($"the renewalInfo answer is not JSON: {e.Message}", e);
        }

        JsonNode? window = body?["suggestedWindow"];
        if (Time(window?["start"]) is not { } start || Time(window?["end"]) is not { } end)
        {
            throw new AcmeException($"the renewalInfo answer has no suggestedWindow with start and end (RFC 9773 4.2): {Shorten(json)}");
        }

        if (end <= start)
        {
            throw new AcmeException($"the renewalInfo window ends ({end:u}) before it starts ({start:u}); RFC 9773 4.2 says to ignore such a window");
        }

        TimeSpan recheck = retryAfter ?? DefaultRecheck;
        recheck = recheck < MinRecheck ? MinRecheck : recheck > MaxRecheck ? MaxRecheck : recheck;
        string? explanation = body!["explanationURL"] is JsonValue url && url.TryGetValue(out string? text) ? text : null;
        return new RenewalInfo(start, end, explanation, recheck);
    }

    /// <summary>
    /// When to renew: a uniform random time inside the window (RFC 9773 4.2), so that a CA's many clients do not
    /// all come at its start. <paramref name="fraction"/> is the random draw in [0, 1).
    /// </summary>
    public DateTimeOffset ChooseTime(double fraction) => Start + (End - Start) * Math.Clamp(fraction, 0, 1);

    private static DateTimeOffset? Time(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue(out string? text)
        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset time)
            ? time
            : null;

    private static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "…";
}
