using Berth.Config;

namespace Berth.Tests.Config.Validators;

public sealed class ListenAddressValidatorTests : IDisposable
{
    private readonly ConfigFixture _files = new();

    [Theory]
    [InlineData("127.0.0.1:0", "port 0 of 127.0.0.1:0 is out of range: ports run from 1 to 65535")]
    [InlineData("[::1]:65536", "port 65536 of [::1]:65536 is out of range: ports run from 1 to 65535")]
    public void A_port_out_of_range_is_refused_on_the_line_of_its_item(string address, string message)
    {
        ConfigError error = _files.OneError($"""
            apps: {"{"} web: {"{"} module: app {"}"} {"}"}
            sites:
              main:
                app: web
                listen:
                  - "127.0.0.1:8000"
                  - "{address}"
            """, line: 7, key: "sites.main.listen[1]");

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void An_unreadable_address_does_not_shift_the_line_of_the_next_ones_error()
    {
        ConfigResult result = _files.Parse("""
            apps: { web: { module: app } }
            sites:
              main:
                app: web
                listen:
                  - "example.com:80"
                  - "127.0.0.1:70000"
            """);

        Assert.Equal([(6, "sites.main.listen[0]"), (7, "sites.main.listen[1]")], result.Errors.Select(e => (e.Source.Line, e.Key)));
    }

    [Fact]
    public void Ports_1_and_65535_are_fine()
    {
        _files.Valid("apps: { web: { module: app } }\nsites:\n  main: { app: web, listen: [\":1\", \":65535\"] }\n");
    }

    public void Dispose() => _files.Dispose();
}
