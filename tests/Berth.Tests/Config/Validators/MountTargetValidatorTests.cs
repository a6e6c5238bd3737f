using Berth.Config;

namespace Berth.Tests.Config.Validators;

public sealed class MountTargetValidatorTests : IDisposable
{
    private readonly ConfigFixture _files = new();

    [Fact]
    public void A_mount_of_an_undefined_app_suggests_the_nearest_name()
    {
        ConfigError error = _files.OneError("""
            apps:
              web: { module: app }
              api: { module: api }
            sites:
              main:
                app: web
                mounts:
                  /v1: aip
            """, line: 8, key: "sites.main.mounts[/v1]");

        Assert.Equal("mounts app `aip`, which is not defined under apps:", error.Message);
        Assert.Equal("did you mean `api`?", error.Fix);
    }

    [Fact]
    public void The_app_shorthand_is_reported_as_app()
    {
        ConfigError error = _files.OneError("""
            apps:
              web: { module: app }
            sites:
              main:
                listen: ":8000"
                app: blog
            """, line: 6, key: "sites.main.app");

        Assert.Equal("use one of the apps defined under apps: (web)", error.Fix);
    }

    [Fact]
    public void A_site_that_serves_nothing_is_refused()
    {
        ConfigError error = _files.OneError("""
            apps:
              web: { module: app }
            sites:
              main:
                listen: ":8000"
            """, line: 4, key: "sites.main");

        Assert.Equal("add `app: web` to serve that app at /", error.Fix);
    }

    public void Dispose() => _files.Dispose();
}
