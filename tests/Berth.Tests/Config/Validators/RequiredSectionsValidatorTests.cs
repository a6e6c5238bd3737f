using Berth.Config;

namespace Berth.Tests.Config.Validators;

public sealed class RequiredSectionsValidatorTests : IDisposable
{
    private readonly ConfigFixture _files = new();

    [Fact]
    public void A_file_with_no_apps_is_refused()
    {
        ConfigError error = _files.OneError("server:\n  graceful_timeout: 5s\napps: {}\n", line: 3, key: "apps");

        Assert.Equal("no apps are defined", error.Message);
    }

    [Fact]
    public void Several_apps_and_no_sites_is_refused_because_berth_cannot_guess()
    {
        ConfigError error = _files.OneError("""
            apps:
              web: { module: web }
              api: { module: api }
            """, line: 0, key: "sites");

        Assert.Equal("no sites are defined, and with 2 apps berth cannot guess which to serve where", error.Message);
        Assert.Contains("mounts:", error.Fix, StringComparison.Ordinal);
    }

    public void Dispose() => _files.Dispose();
}
