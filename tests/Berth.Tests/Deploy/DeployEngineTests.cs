using Berth.Config;
using Berth.Deploy;

namespace Berth.Tests.Deploy;

public sealed class DeployEngineTests
{
    private static readonly BerthConfig Deploy = new(new ServerSettings(), [], [], "/src/shop/berth.yml")
    {
        Deploy = new DeploySettings
        {
            Hosts = [new DeployHost("deploy", "web1", 22), new DeployHost("deploy", "web2", 2222)],
            Repository = "/src/shop.git",
            Path = "/srv/shop",
        },
    };

    [Fact]
    public void Hosts_named_on_the_command_line_are_found_by_label_or_address() =>
        Assert.Equal(["deploy@web2:2222", "deploy@web1"], DeployEngine.SelectHosts(Deploy, ["web2", "deploy@web1"]).Select(h => h.Label));

    [Fact]
    public void No_host_named_means_every_host() =>
        Assert.Equal(2, DeployEngine.SelectHosts(Deploy, []).Count);

    [Fact]
    public void A_host_not_in_the_config_is_refused_with_the_ones_that_are()
    {
        var error = Assert.Throws<DeployException>(() => DeployEngine.SelectHosts(Deploy, ["web3"]));

        Assert.Equal("web3: not one of deploy: hosts: (deploy@web1, deploy@web2:2222)", error.Message);
    }

    [Fact]
    public void A_lock_owner_file_reads_as_who_where_and_since_when()
    {
        var owner = new LockOwner("alice", "laptop", new DateTimeOffset(2026, 12, 4, 16, 0, 0, TimeSpan.Zero), 4242);

        Assert.Equal("alice on laptop since 2026-12-04 16:00:00 UTC (pid 4242)", LockOwner.Describe(owner.ToFileText()));
        Assert.StartsWith("an unknown owner", LockOwner.Describe(""), StringComparison.Ordinal);
    }
}
