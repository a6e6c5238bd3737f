using Berth.Config;

namespace Berth.Tests.Config.Validators;

public sealed class ListenerSharingValidatorTests : IDisposable
{
    private readonly ConfigFixture _files = new();

    [Fact]
    public void Sites_on_one_address_told_apart_by_hosts_are_fine()
    {
        BerthConfig config = _files.Valid("""
            apps: { web: { module: app } }
            sites:
              one: { listen: ":8000", hosts: [a.example], app: web }
              two: { listen: ":8000", hosts: [b.example, "*.a.example"], app: web }
              other: { listen: ":8000", app: web }
            """);

        Assert.Equal(3, config.Sites.Count);
    }

    [Fact]
    public void Two_default_sites_on_one_address_are_refused()
    {
        ConfigError error = _files.OneError("""
            apps: { web: { module: app } }
            sites:
              one:
                listen: ":8000"
                app: web
              two:
                listen: ["127.0.0.1:9000", ":8000"]
                app: web
            """, line: 6, key: "sites.two.hosts");

        Assert.StartsWith("site `two` and site `one` are both the default site on 0.0.0.0:8000", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_star_host_makes_a_site_the_default_too()
    {
        _files.OneError("""
            apps: { web: { module: app } }
            sites:
              one: { app: web }
              two: { app: web, hosts: ["*"] }
            """, line: 4, key: "sites.two.hosts");
    }

    [Fact]
    public void One_host_name_in_two_sites_on_one_address_is_refused_at_the_second()
    {
        ConfigError error = _files.OneError("""
            apps: { web: { module: app } }
            sites:
              one:
                hosts: [example.com]
                app: web
              two:
                hosts:
                  - www.example.com
                  - Example.com
                app: web
            """, line: 9, key: "sites.two.hosts[1]");

        Assert.Equal("example.com is also a host of site `one` on 127.0.0.1:8000, so berth could not tell which should answer it", error.Message);
    }

    [Fact]
    public void One_host_name_on_two_different_addresses_is_fine()
    {
        _files.Valid("""
            apps: { web: { module: app } }
            sites:
              plain: { listen: ":80", hosts: [example.com], app: web }
              other: { listen: ":8080", hosts: [example.com], app: web }
            """);
    }

    [Theory]
    [InlineData("0.0.0.0:8000", "127.0.0.1:8000")]
    [InlineData("127.0.0.1:8000", ":8000")]
    [InlineData("[::]:8000", "10.1.2.3:8000")]
    [InlineData("localhost:8000", "[::1]:8000")]
    public void Addresses_the_kernel_cannot_bind_together_are_refused(string first, string second)
    {
        ConfigError error = _files.OneError($"""
            apps: {"{"} web: {"{"} module: app {"}"} {"}"}
            sites:
              one:
                listen: "{first}"
                app: web
              two:
                hosts: [b.example]
                listen: "{second}"
                app: web
            """, line: 8, key: "sites.two.listen");

        Assert.Contains("overlaps", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Distinct_addresses_on_one_port_are_fine()
    {
        _files.Valid("""
            apps: { web: { module: app } }
            sites:
              one: { listen: "127.0.0.1:8000", app: web }
              two: { listen: "127.0.0.2:8000", app: web }
              three: { listen: "[::1]:8000", app: web }
            """);
    }

    public void Dispose() => _files.Dispose();
}
