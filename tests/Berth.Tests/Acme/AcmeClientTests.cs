using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Berth.Acme;

namespace Berth.Tests.Acme;

/// <summary>The ACME client against <see cref="AcmeStub"/> over real HTTP: what pebble cannot be made to answer.</summary>
public sealed class AcmeClientTests : IDisposable
{
    private readonly AcmeStub _stub = new();
    private readonly AccountKey _account = AccountKey.Create();

    [Fact]
    public async Task A_429_is_a_rate_limited_error_with_the_servers_detail_and_its_retry_after()
    {
        using var client = new AcmeClient(_stub.DirectoryUrl, _account, null, TimeProvider.System);
        var e = await Assert.ThrowsAsync<AcmeException>(() => client.IssueAsync(["rate.test"], null, new Http01Challenges(), null, null, CancellationToken.None));
        Assert.True(e.RateLimited);
        Assert.Equal(TimeSpan.FromHours(1), e.RetryAfter);
        Assert.Contains("rate limit", e.Message, StringComparison.Ordinal);
        Assert.Contains("too many new orders (5) for \"rate.test\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_429_with_an_http_date_retry_after_is_read_as_the_wait_until_then()
    {
        DateTimeOffset at = DateTimeOffset.UtcNow.AddHours(3);
        _stub.NewOrder = (429, [("Retry-After", at.ToString("r"))], """{"type":"urn:ietf:params:acme:error:rateLimited","detail":"slow down"}""");
        using var client = new AcmeClient(_stub.DirectoryUrl, _account, null, TimeProvider.System);
        var e = await Assert.ThrowsAsync<AcmeException>(() => client.IssueAsync(["rate.test"], null, new Http01Challenges(), null, null, CancellationToken.None));
        Assert.True(e.RateLimited);
        Assert.InRange(e.RetryAfter!.Value, TimeSpan.FromHours(3) - TimeSpan.FromMinutes(1), TimeSpan.FromHours(3));
    }

    [Fact]
    public async Task Another_error_is_not_marked_rate_limited()
    {
        _stub.NewOrder = (400, [], """{"type":"urn:ietf:params:acme:error:rejectedIdentifier","detail":"no wildcard here"}""");
        using var client = new AcmeClient(_stub.DirectoryUrl, _account, null, TimeProvider.System);
        var e = await Assert.ThrowsAsync<AcmeException>(() => client.IssueAsync(["rate.test"], null, new Http01Challenges(), null, null, CancellationToken.None));
        Assert.False(e.RateLimited);
        Assert.Contains("rejectedIdentifier", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_renewal_names_the_certificate_it_replaces_in_new_order()
    {
        using var client = new AcmeClient(_stub.DirectoryUrl, _account, null, TimeProvider.System);
        await Assert.ThrowsAsync<AcmeException>(() => client.IssueAsync(["a.test", "b.test"], null, new Http01Challenges(), null, "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE", CancellationToken.None));
        JsonNode order = JsonNode.Parse(_stub.Requests.Single(r => r.Path == "/order").Payload)!;
        Assert.Equal("aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE", order["replaces"]!.GetValue<string>());
        Assert.Equal(new[] { "a.test", "b.test" }, order["identifiers"]!.AsArray().Select(i => i!["value"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_first_order_sends_no_replaces()
    {
        using var client = new AcmeClient(_stub.DirectoryUrl, _account, null, TimeProvider.System);
        await Assert.ThrowsAsync<AcmeException>(() => client.IssueAsync(["a.test"], null, new Http01Challenges(), null, null, CancellationToken.None));
        Assert.Null(JsonNode.Parse(_stub.Requests.Single(r => r.Path == "/order").Payload)!["replaces"]);
    }

    [Fact]
    public async Task Renewal_info_is_fetched_for_the_certificates_id_with_its_retry_after()
    {
        _stub.RenewalInfo = (200, """{"suggestedWindow":{"start":"2026-01-02T00:00:00Z","end":"2026-01-03T00:00:00Z"}}""", "7200");
        using X509Certificate2 certificate = RenewalInfoTests.Issue(Convert.FromHexString("69885B6B87464041E1B37B847BA0AE2CDE01C8D4"), Convert.FromHexString("0087654321"));
        using var client = new AcmeClient(_stub.DirectoryUrl, _account, null, TimeProvider.System);
        RenewalInfo? info = await client.GetRenewalInfoAsync(certificate, CancellationToken.None);
        Assert.NotNull(info);
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 0, 0, 0, TimeSpan.Zero), info.Start);
        Assert.Equal(TimeSpan.FromHours(2), info.RecheckAfter);
        Assert.Contains(_stub.Requests, r => r is { Method: "GET", Path: "/ari/aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE" });
    }

    [Fact]
    public async Task A_certificate_the_ca_does_not_know_has_no_window_rather_than_an_error()
    {
        _stub.RenewalInfo = (404, """{"type":"urn:ietf:params:acme:error:malformed","detail":"certificate not found"}""", null);
        using X509Certificate2 certificate = RenewalInfoTests.Issue(RandomNumberGenerator.GetBytes(20), [0x01, 0x02]);
        using var client = new AcmeClient(_stub.DirectoryUrl, _account, null, TimeProvider.System);
        Assert.Null(await client.GetRenewalInfoAsync(certificate, CancellationToken.None));
    }

    [Fact]
    public async Task A_renewal_info_error_says_what_the_server_answered()
    {
        _stub.RenewalInfo = (503, """{"type":"urn:ietf:params:acme:error:serverInternal","detail":"try later"}""", "120");
        using X509Certificate2 certificate = RenewalInfoTests.Issue(RandomNumberGenerator.GetBytes(20), [0x01, 0x02]);
        using var client = new AcmeClient(_stub.DirectoryUrl, _account, null, TimeProvider.System);
        var e = await Assert.ThrowsAsync<AcmeException>(() => client.GetRenewalInfoAsync(certificate, CancellationToken.None));
        Assert.Contains("answered 503", e.Message, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromMinutes(2), e.RetryAfter);
    }

    [Fact]
    public async Task A_directory_without_renewal_info_gives_none_and_asks_nothing_more()
    {
        using X509Certificate2 certificate = RenewalInfoTests.Issue(RandomNumberGenerator.GetBytes(20), [0x01, 0x02]);
        using var client = new AcmeClient(_stub.DirectoryUrl, _account, null, TimeProvider.System);
        Assert.Null(await client.GetRenewalInfoAsync(certificate, CancellationToken.None));
        Assert.Equal(new[] { "/dir" }, _stub.Requests.Select(r => r.Path));
    }

    public void Dispose()
    {
        _stub.Dispose();
        _account.Dispose();
    }
}
