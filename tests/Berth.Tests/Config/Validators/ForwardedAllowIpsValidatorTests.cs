using Berth.Config;

namespace Berth.Tests.Config.Validators;

public sealed class ForwardedAllowIpsValidatorTests : IDisposable
{
    private readonly ConfigFixture _files = new();

    [Fact]
    public void Addresses_and_star_are_fine()
    {
        BerthConfig config = _files.Valid("server:\n  forwarded_allow_ips: [\"*\", 10.0.0.1, \"::1\"]\napps: { web: { module: app } }\n");

        Assert.Equal(["*", "10.0.0.1", "::1"], config.Server.ForwardedAllowIps);
    }

    [Fact]
    public void A_network_is_refused_rather_than_silently_ignored()
    {
        ConfigError error = _files.OneError("""
            server:
              forwarded_allow_ips:
                - 127.0.0.1
                - 10.0.0.0/8
            apps: { web: { module: app } }
            """, line: 4, key: "server.forwarded_allow_ips[1]");

        Assert.Equal("\"10.0.0.0/8\" is a network, and berth matches single addresses only", error.Message);
    }

    [Fact]
    public void A_name_is_not_an_address()
    {
        ConfigError error = _files.OneError("server:\n  forwarded_allow_ips: \"127.0.0.1, proxy\"\napps: { web: { module: app } }\n", line: 2, key: "server.forwarded_allow_ips");

        Assert.Equal("must be a list of IP addresses, or *, got \"proxy\"", error.Message);
    }

    public void Dispose() => _files.Dispose();
}
