using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Berth.Acme;

/// <summary>
/// The ES256 account key and the JSON Web Signatures made with it (RFC 7515, flattened JSON serialization, as
/// RFC 8555 6.2 requires):
/// <code>
///   { "protected": b64u({"alg":"ES256","nonce":…,"url":…,"jwk"|"kid":…}), "payload": b64u(json) or "", "signature": b64u(r‖s) }
/// </code>
/// </summary>
public sealed class AccountKey : IDisposable
{
    private readonly ECDsa _key;

    public AccountKey(ECDsa key)
    {
        _key = key;
        ECParameters p = key.ExportParameters(includePrivateParameters: false);
        X = Base64Url(p.Q.X!);
        Y = Base64Url(p.Q.Y!);
    }

    private string X { get; }

    private string Y { get; }

    public static AccountKey Create() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    public static AccountKey FromPem(string pem)
    {
        var key = ECDsa.Create();
        key.ImportFromPem(pem);
        return new AccountKey(key);
    }

    public string ToPem() => _key.ExportPkcs8PrivateKeyPem();

    /// <summary>The public key as a JWK, members in the lexicographic order RFC 7638 fixes for thumbprints.</summary>
    public JsonObject Jwk() => new() { ["crv"] = "P-256", ["kty"] = "EC", ["x"] = X, ["y"] = Y };

    /// <summary>RFC 7638 thumbprint, the second half of every key authorization (RFC 8555 8.1).</summary>
    public string Thumbprint() => Base64Url(SHA256.HashData(Encoding.UTF8.GetBytes(Jwk().ToJsonString())));

    /// <param name="payload">null for POST-as-GET (an empty payload, RFC 8555 6.3).</param>
    /// <param name="kid">the account URL, or null to send the jwk (newAccount only).</param>
    public string Sign(string url, string nonce, string? kid, JsonNode? payload)
    {
        var header = new JsonObject { ["alg"] = "ES256", ["nonce"] = nonce, ["url"] = url };
        if (kid is null)
        {
            header["jwk"] = Jwk();
        }
        else
        {
            header["kid"] = kid;
        }

        string protectedPart = Base64Url(Encoding.UTF8.GetBytes(header.ToJsonString()));
        string payloadPart = payload is null ? "" : Base64Url(Encoding.UTF8.GetBytes(payload.ToJsonString()));
        byte[] signature = _key.SignData(Encoding.ASCII.GetBytes($"{protectedPart}.{payloadPart}"), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return new JsonObject { ["protected"] = protectedPart, ["payload"] = payloadPart, ["signature"] = Base64Url(signature) }.ToJsonString();
    }

    public static string Base64Url(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public void Dispose() => _key.Dispose();
}
