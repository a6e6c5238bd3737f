using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

namespace Berth.Acme;

/// <summary>
/// An ACME client (RFC 8555) for one account, just what issuing a certificate with HTTP-01 takes:
/// <code>
///   directory → newNonce → newAccount (jwk) → newOrder (kid) → each authorization: skip if valid, else answer
///   http-01 and poll → finalize with a CSR for a fresh key → poll the order → download the chain
/// </code>
/// Every POST carries a fresh nonce; a badNonce answer is retried with the nonce it brings (6.5).
/// </summary>
public sealed class AcmeClient : IDisposable
{
    private const int BadNonceRetries = 5;

    private readonly HttpClient _http;
    private readonly AccountKey _account;
    private readonly TimeProvider _time;
    private readonly Uri _directoryUrl;
    private JsonObject? _directory;
    private string? _nonce;
    private string? _kid;
    private TimeSpan? _retryAfter; // from the last answer, for polling (RFC 8555 7.5.1)

    /// <param name="trust">Extra roots that may sign the directory's HTTPS certificate (a test server's), or null.</param>
    public AcmeClient(Uri directoryUrl, AccountKey account, X509Certificate2Collection? trust, TimeProvider time)
    {
        _directoryUrl = directoryUrl;
        _account = account;
        _time = time;
        var handler = new SocketsHttpHandler();
        if (trust is { Count: > 0 })
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (errors == SslPolicyErrors.None)
                {
                    return true;
                }

                if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
                {
                    return false;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.AddRange(trust);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
            };
        }

        _http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("berth", "1"));
    }

    /// <summary>Orders a certificate for <paramref name="names"/>, answering HTTP-01 through <paramref name="challenges"/>.
    /// Returns the chain (leaf first) and the new private key, both PEM.</summary>
    /// <param name="tlsAlpn">When given, TLS-ALPN-01 is answered instead of HTTP-01 (RFC 8737).</param>
    /// <param name="replaces">The ARI identifier of the certificate this one replaces (RFC 9773 5), or null.</param>
    public async Task<(string ChainPem, string KeyPem)> IssueAsync(IReadOnlyList<string> names, string? email, Http01Challenges challenges, TlsAlpnChallenges? tlsAlpn, string? replaces, CancellationToken cancellationToken)
    {
        await EnsureDirectoryAsync(cancellationToken);
        await EnsureAccountAsync(email, cancellationToken);
        JsonObject order;
        Uri? orderUrl;
        try
        {
            (order, orderUrl) = await PostAsync(Endpoint("newOrder"), NewOrder(names, replaces), cancellationToken);
        }
        catch (AcmeException e) when (replaces is not null && e.Message.Contains("urn:ietf:params:acme:error:alreadyReplaced", StringComparison.Ordinal))
        {
            // RFC 9773 5: the old certificate was replaced already (by an earlier order that failed later, say);
            // a plain order still gets the certificate, only without the CA's ARI bookkeeping.
            (order, orderUrl) = await PostAsync(Endpoint("newOrder"), NewOrder(names, null), cancellationToken);
        }

        if (orderUrl is null)
        {
            throw new AcmeException("the ACME server created an order without telling where it is (no Location header)");
        }

        foreach (JsonNode? authorization in order["authorizations"]?.AsArray() ?? [])
        {
            await AuthorizeAsync(new Uri(authorization!.GetValue<string>()), challenges, tlsAlpn, cancellationToken);
        }

        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={names[0]}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (string name in names)
        {
            san.AddDnsName(name);
        }

        request.CertificateExtensions.Add(san.Build());
        string csr = AccountKey.Base64Url(request.CreateSigningRequest());
        (order, _) = await PostAsync(new Uri(order["finalize"]!.GetValue<string>()), new JsonObject { ["csr"] = csr }, cancellationToken);
        order = await PollAsync(orderUrl, order, cancellationToken);
        if (Status(order) != "valid" || order["certificate"] is null)
        {
            throw new AcmeException($"the order for {string.Join(", ", names)} ended {Status(order)}: {order["error"]?.ToJsonString()}");
        }

        string chain = await PostAsGetTextAsync(new Uri(order["certificate"]!.GetValue<string>()), cancellationToken);
        return (chain, key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>The newOrder payload (RFC 8555 7.4), with RFC 9773's <c>replaces</c> when renewing:
    /// <code>  { "identifiers": [ { "type": "dns", "value": "example.com" } ], "replaces": "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE" }  </code></summary>
    public static JsonObject NewOrder(IReadOnlyList<string> names, string? replaces)
    {
        var order = new JsonObject { ["identifiers"] = new JsonArray(names.Select(n => (JsonNode)new JsonObject { ["type"] = "dns", ["value"] = n }).ToArray()) };
        if (replaces is not null)
        {
            order["replaces"] = replaces;
        }

        return order;
    }

    /// <summary>The CA's suggested renewal window for <paramref name="certificate"/> (RFC 9773 4), or null when the
    /// directory offers no renewalInfo or the CA does not know the certificate (404: another CA issued it, say).</summary>
    public async Task<RenewalInfo?> GetRenewalInfoAsync(X509Certificate2 certificate, CancellationToken cancellationToken)
    {
        await EnsureDirectoryAsync(cancellationToken);
        if (_directory?["renewalInfo"] is not JsonValue endpoint || !endpoint.TryGetValue(out string? url))
        {
            return null;
        }

        // A plain GET: renewalInfo needs no account (RFC 9773 4.1), and certID is URL-safe as it stands.
        var address = new Uri($"{url.TrimEnd('/')}/{RenewalInfo.CertId(certificate)}");
        using HttpResponseMessage response = await _http.GetAsync(address, cancellationToken);
        string body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        if (!response.IsSuccessStatusCode)
        {
            throw Failure(address, response, body);
        }

        return RenewalInfo.Parse(body, RetryAfter.From(response, _time.GetUtcNow()));
    }

    private async Task EnsureDirectoryAsync(CancellationToken cancellationToken)
    {
        if (_directory is null)
        {
            using HttpResponseMessage response = await _http.GetAsync(_directoryUrl, cancellationToken);
            string text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw Failure(_directoryUrl, response, text);
            }

            JsonNode? parsed;
            try
            {
                parsed = JsonNode.Parse(text);
            }
            catch (System.Text.Json.JsonException)
            {
                parsed = null; // HTML from a proxy, a torn body: the same advice as any other non-directory
            }

            _directory = parsed as JsonObject
                ?? throw new AcmeException($"{_directoryUrl} is not an ACME directory (no JSON object); check server: acme_directory:");
        }
    }

    private async Task AuthorizeAsync(Uri url, Http01Challenges challenges, TlsAlpnChallenges? tlsAlpn, CancellationToken cancellationToken)
    {
        (JsonObject authorization, _) = await PostAsync(url, null, cancellationToken);
        if (Status(authorization) == "valid")
        {
            return; // authorized by an earlier order (RFC 8555 7.1.4)
        }

        string name = authorization["identifier"]?["value"]?.GetValue<string>() ?? "?";
        string type = tlsAlpn is null ? "http-01" : "tls-alpn-01";
        JsonObject challenge = authorization["challenges"]?.AsArray().OfType<JsonObject>().FirstOrDefault(c => c["type"]?.GetValue<string>() == type)
            ?? throw new AcmeException($"the ACME server offers no {type} challenge for {name}");
        string token = challenge["token"]!.GetValue<string>();
        string keyAuthorization = $"{token}.{_account.Thumbprint()}";
        if (tlsAlpn is null)
        {
            challenges.Add(token, keyAuthorization);
        }
        else
        {
            tlsAlpn.Add(name, keyAuthorization);
        }

        try
        {
            await PostAsync(new Uri(challenge["url"]!.GetValue<string>()), new JsonObject(), cancellationToken);
            authorization = await PollAsync(url, authorization, cancellationToken);
        }
        finally
        {
            challenges.Remove(token);
            tlsAlpn?.Remove(name);
        }

        if (Status(authorization) != "valid")
        {
            string? problem = authorization["challenges"]?.AsArray().OfType<JsonObject>().Select(c => c["error"]?["detail"]?.GetValue<string>()).FirstOrDefault(d => d is not null);
            throw new AcmeException($"the ACME server could not check that this machine answers for {name}: {problem ?? Status(authorization)}; " +
                $"make sure {name} resolves to this machine and port 80 reaches berth's redirect_from: address");
        }
    }

    /// <summary>POST-as-GET while the status is pending or processing, sleeping as Retry-After says (RFC 8555 7.5.1), a minute at most.</summary>
    private async Task<JsonObject> PollAsync(Uri url, JsonObject current, CancellationToken cancellationToken)
    {
        for (int attempt = 0; attempt < 60 && Status(current) is "pending" or "processing"; attempt++)
        {
            await Task.Delay(_retryAfter ?? TimeSpan.FromSeconds(1), _time, cancellationToken);
            (current, _) = await PostAsync(url, null, cancellationToken);
        }

        return current;
    }

    private static string Status(JsonObject o) => o["status"]?.GetValue<string>() ?? "";

    private async Task EnsureAccountAsync(string? email, CancellationToken cancellationToken)
    {
        if (_kid is not null)
        {
            return;
        }

        var account = new JsonObject { ["termsOfServiceAgreed"] = true };
        if (email is not null)
        {
            account["contact"] = new JsonArray("mailto:" + email);
        }

        (_, Uri? location) = await PostAsync(Endpoint("newAccount"), account, cancellationToken, useJwk: true);
        _kid = location?.ToString() ?? throw new AcmeException("the ACME server created an account without an account URL (no Location header)");
    }

    private Uri Endpoint(string name) =>
        new(_directory?[name]?.GetValue<string>() ?? throw new AcmeException($"the ACME directory {_directoryUrl} has no {name}"));

    private async Task<string> PostAsGetTextAsync(Uri url, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await SendAsync(url, null, useJwk: false, cancellationToken);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    private async Task<(JsonObject Body, Uri? Location)> PostAsync(Uri url, JsonNode? payload, CancellationToken cancellationToken, bool useJwk = false)
    {
        using HttpResponseMessage response = await SendAsync(url, payload, useJwk, cancellationToken);
        string text = await response.Content.ReadAsStringAsync(cancellationToken);
        JsonObject body = text.Length > 0 && JsonNode.Parse(text) is JsonObject parsed ? parsed : new JsonObject();
        return (body, response.Headers.Location);
    }

    private async Task<HttpResponseMessage> SendAsync(Uri url, JsonNode? payload, bool useJwk, CancellationToken cancellationToken)
    {
        for (int attempt = 0; ; attempt++)
        {
            string nonce = _nonce ?? await NewNonceAsync(cancellationToken);
            _nonce = null;
            string jws = _account.Sign(url.ToString(), nonce, useJwk ? null : _kid, payload);
            using var content = new StringContent(jws, Encoding.UTF8);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/jose+json");
            HttpResponseMessage response = await _http.PostAsync(url, content, cancellationToken);
            _nonce = response.Headers.TryGetValues("Replay-Nonce", out IEnumerable<string>? nonces) ? nonces.FirstOrDefault() : null;
            _retryAfter = RetryAfter.From(response, _time.GetUtcNow());
            if (response.IsSuccessStatusCode)
            {
                return response;
            }

            string problem = await response.Content.ReadAsStringAsync(cancellationToken);
            using (response)
            {
                if (problem.Contains("urn:ietf:params:acme:error:badNonce", StringComparison.Ordinal) && attempt < BadNonceRetries)
                {
                    continue; // RFC 8555 6.5: retry with the nonce the error brought
                }

                throw Failure(url, response, problem);
            }
        }
    }

    /// <summary>An error answer as an exception; a 429 is marked rate limited and keeps its Retry-After, which the
    /// renewal schedule honours (RFC 8555 6.6).</summary>
    private AcmeException Failure(Uri url, HttpResponseMessage response, string problem)
    {
        TimeSpan? retryAfter = RetryAfter.From(response, _time.GetUtcNow());
        if (response.StatusCode == HttpStatusCode.TooManyRequests || problem.Contains("urn:ietf:params:acme:error:rateLimited", StringComparison.Ordinal))
        {
            return new AcmeException($"the ACME server's rate limit refused the request ({url} answered {(int)response.StatusCode}: {Detail(problem)})")
            {
                RateLimited = true,
                RetryAfter = retryAfter,
            };
        }

        return new AcmeException($"{url} answered {(int)response.StatusCode}: {problem}") { RetryAfter = retryAfter };
    }

    /// <summary>The problem document's detail (RFC 7807), or the body as it came.</summary>
    private static string Detail(string problem)
    {
        try
        {
            return JsonNode.Parse(problem) is JsonObject o && o["detail"] is JsonValue detail && detail.TryGetValue(out string? text) ? text : problem.Trim();
        }
        catch (System.Text.Json.JsonException)
        {
            return problem.Trim();
        }
    }

    private async Task<string> NewNonceAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, Endpoint("newNonce"));
        using HttpResponseMessage response = await _http.SendAsync(request, cancellationToken);
        return response.Headers.TryGetValues("Replay-Nonce", out IEnumerable<string>? nonces) ? nonces.First()
            : throw new AcmeException($"{request.RequestUri} gave no Replay-Nonce");
    }

    public void Dispose() => _http.Dispose();
}
