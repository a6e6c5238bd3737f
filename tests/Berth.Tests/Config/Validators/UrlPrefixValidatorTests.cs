using Berth.Config;

namespace Berth.Tests.Config.Validators;

public sealed class UrlPrefixValidatorTests : IDisposable
{
    private readonly ConfigFixture _files = new();

    [Fact]
    public void A_prefix_must_start_with_a_slash()
    {
        _files.Dir("static");
        ConfigError error = _files.OneError("""
            apps: { web: { module: app } }
            sites:
              main:
                app: web
                static:
                  static/: static
            """, line: 6, key: "sites.main.static[static/]");

        Assert.Equal("\"static/\" does not start with /", error.Message);
        Assert.Equal("write a path such as /static/", error.Fix);
    }

    [Fact]
    public void A_mount_prefix_must_start_with_a_slash()
    {
        _files.OneError("""
            apps: { web: { module: app } }
            sites:
              main:
                mounts:
                  api: web
            """, line: 5, key: "sites.main.mounts[api]");
    }

    [Theory]
    [InlineData("/a?b")]
    [InlineData("/a#b")]
    [InlineData("/a b")]
    [InlineData("/a/../b")]
    public void A_prefix_with_a_query_fragment_space_or_dot_segment_is_refused(string prefix)
    {
        _files.OneError($"apps: {{ web: {{ module: app }} }}\nsites:\n  main:\n    mounts:\n      \"{prefix}\": web\n", line: 5, key: $"sites.main.mounts[{prefix}]");
    }

    [Fact]
    public void The_same_prefix_twice_in_a_site_is_refused_even_with_a_different_trailing_slash()
    {
        _files.Dir("static");
        ConfigError error = _files.OneError("""
            apps: { web: { module: app } }
            sites:
              main:
                static:
                  /static/: static
                mounts:
                  /: web
                  /static: web
            """, line: 8, key: "sites.main.mounts[/static]");

        Assert.Equal($"\"/static\" is mounted twice in site `main`: by the static directory {Path.Combine(_files.Root, "static")} and by app `web`", error.Message);
    }

    [Fact]
    public void App_shorthand_and_a_root_mount_collide_and_the_error_points_at_the_mount()
    {
        ConfigError error = _files.OneError("""
            apps: { web: { module: app } }
            sites:
              main:
                app: web
                mounts:
                  /: web
            """, line: 6, key: "sites.main.mounts[/]");

        Assert.StartsWith("\"/\" is mounted twice", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _files.Dispose();
}
