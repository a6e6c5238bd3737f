using Berth.Config;

namespace Berth.Tests.Config.Validators;

public sealed class HostNameValidatorTests : IDisposable
{
    private readonly ConfigFixture _files = new();

    [Fact]
    public void Names_wildcards_and_ip_literals_are_fine()
    {
        _files.Valid("""
            apps: { web: { module: app } }
            sites:
              main:
                app: web
                hosts: [example.com, "*.example.com", localhost, 192.0.2.1, "[2001:db8::1]", my_host.internal, xn--bcher-kva.example]
            """);
    }

    [Theory]
    [InlineData("example.com:8080", "has a port")]
    [InlineData("https://example.com", "is a URL, not a host name")]
    [InlineData("ex*mple.com", "has a * that is not a whole leading label")]
    [InlineData("example.*", "has a * that is not a whole leading label")]
    [InlineData("exa mple.com", "is not a host name")]
    [InlineData("-example.com", "is not a host name")]
    [InlineData("a..b", "is not a host name")]
    public void Other_forms_are_refused_on_their_own_line(string host, string problem)
    {
        ConfigError error = _files.OneError($"""
            apps: {"{"} web: {"{"} module: app {"}"} {"}"}
            sites:
              main:
                app: web
                hosts:
                  - ok.example
                  - "{host}"
            """, line: 7, key: "sites.main.hosts[1]");

        Assert.Equal($"\"{host}\" {problem}", error.Message);
    }

    public void Dispose() => _files.Dispose();
}
