using Berth.Config;

namespace Berth.Tests.Config;

public sealed class ConfigBuilderTests : IDisposable
{
    private readonly ConfigFixture _files = new();

    [Fact]
    public void A_bare_module_is_one_app_at_slash_on_127_0_0_1_8000_like_gunicorn()
    {
        BerthConfig config = Valid(ConfigBuilder.Apply(null, new ConfigOverrides { Module = "myproject.wsgi:application" }));

        AppConfig app = Assert.Single(config.Apps);
        Assert.Equal(("wsgi", "myproject.wsgi:application", 2, 1), (app.Name, app.Module, app.Workers, app.Threads));
        Assert.Equal(Directory.GetCurrentDirectory(), app.Chdir);
        SiteConfig site = Assert.Single(config.Sites);
        Assert.Equal("127.0.0.1:8000", Assert.Single(site.Listen).ToString());
        Assert.Empty(site.Hosts);
        Assert.Equal(("/", "wsgi"), (Assert.Single(site.Mounts).UrlPrefix, site.Mounts[0].App));
        Assert.Null(config.Path);
    }

    [Theory]
    [InlineData("app", "app")]
    [InlineData("app:application", "app")]
    [InlineData("Blog.Main:create_app()", "main")]
    public void The_app_is_named_after_the_modules_last_component(string module, string name)
    {
        Assert.Equal(name, ConfigBuilder.AppNameFor(module));
    }

    [Fact]
    public void A_bare_module_takes_binds_statics_and_server_flags()
    {
        string assets = _files.Dir("assets");
        BerthConfig config = Valid(ConfigBuilder.Apply(null, new ConfigOverrides
        {
            Module = "app:app",
            Workers = 5,
            Threads = 3,
            Binds = [":9000", "unix:" + Path.Combine(_files.Root, "b.sock")],
            Static = ["/static=" + assets],
            Chdir = _files.Root,
            AccessLog = "-",
            GracefulTimeout = "2m",
            ForwardedAllowIps = "10.0.0.1,10.0.0.2",
            MaxBodySize = "1G",
            Interface = "WSGI",
        }));

        AppConfig app = config.Apps[0];
        Assert.Equal((5, 3, _files.Root, AppInterface.Wsgi), (app.Workers, app.Threads, app.Chdir, app.Interface));
        SiteConfig site = config.Sites[0];
        Assert.Equal(["0.0.0.0:9000", "unix:" + Path.Combine(_files.Root, "b.sock")], site.Listen.Select(l => l.ToString()));
        Assert.Equal(("/static", assets, SourceSpan.CommandLine), (site.Static[0].UrlPrefix, site.Static[0].Directory, site.Static[0].Source));
        Assert.Equal(("-", TimeSpan.FromMinutes(2), 1L << 30), (config.Server.AccessLog, config.Server.GracefulTimeout, config.Server.MaxBodySize));
        Assert.Equal(["10.0.0.1", "10.0.0.2"], config.Server.ForwardedAllowIps);
    }

    [Fact]
    public void Nothing_to_serve_is_an_error_naming_the_argument()
    {
        ConfigResult result = ConfigBuilder.Apply(null, new ConfigOverrides { Workers = 4 });

        ConfigError error = Assert.Single(result.Errors);
        Assert.Equal((SourceSpan.CommandLine, "MODULE:CALLABLE"), (error.Source, error.Key));
        Assert.StartsWith("command line: MODULE:CALLABLE: nothing to serve", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_bare_module_is_reported_against_the_argument()
    {
        ConfigError error = Assert.Single(ConfigBuilder.Apply(null, new ConfigOverrides { Module = "app.py:app" }).Errors);

        Assert.Equal((SourceSpan.CommandLine, "MODULE:CALLABLE"), (error.Source, error.Key));
    }

    [Fact]
    public void Flags_override_the_file_for_every_app_and_site()
    {
        string assets = _files.Dir("assets");
        _files.Dir("static");
        _files.Venv("venv");
        BerthConfig fromFile = _files.Valid("""
            apps:
              web: { module: web, workers: 2, venv: venv }
              api: { module: api, threads: 4 }
            sites:
              main:
                listen: ["127.0.0.1:8000", "[::1]:8000"]
                static: { /static/: static, /keep/: static }
                mounts: { /: web, /api: api }
              admin:
                listen: "127.0.0.1:8001"
                hosts: [admin.example]
                app: web
            """);

        BerthConfig config = Valid(ConfigBuilder.Apply(fromFile, new ConfigOverrides
        {
            Workers = 8,
            Python = "python3.12",
            Binds = ["127.0.0.1:9000"],
            Static = ["/static=" + assets],
        }));

        Assert.All(config.Apps, a => Assert.Equal((8, "python3.12", (string?)null), (a.Workers, a.Python, a.Venv)));
        Assert.Equal(4, config.Apps[1].Threads); // what no flag touches stays as in the file
        Assert.All(config.Sites, s => Assert.Equal("127.0.0.1:9000", Assert.Single(s.Listen).ToString()));
        SiteConfig main = config.Sites[0];
        Assert.Equal([("/keep/", Path.Combine(_files.Root, "static")), ("/static", assets)], main.Static.Select(s => (s.UrlPrefix, s.Directory)));
        Assert.Equal(("/static", assets), (config.Sites[1].Static.Single().UrlPrefix, config.Sites[1].Static.Single().Directory));
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public void Preload_flag_overrides_the_file_for_every_app_and_its_absence_keeps_it(bool? flag, bool expected)
    {
        BerthConfig fromFile = _files.Valid("apps:\n  web: { module: web, preload: true }\n  api: { module: api, preload: true }\nsites:\n  main: { mounts: { /: web, /api: api } }\n");

        BerthConfig config = Valid(ConfigBuilder.Apply(fromFile, new ConfigOverrides { Preload = flag }));

        Assert.All(config.Apps, a => Assert.Equal(expected, a.Preload));
    }

    [Fact]
    public void Preload_flag_turns_it_on_for_a_bare_module()
    {
        Assert.False(Valid(ConfigBuilder.Apply(null, new ConfigOverrides { Module = "app:app" })).Apps[0].Preload);
        Assert.True(Valid(ConfigBuilder.Apply(null, new ConfigOverrides { Module = "app:app", Preload = true })).Apps[0].Preload);
    }

    [Fact]
    public void Venv_flag_sets_aside_the_files_python()
    {
        string venv = _files.Venv("venv");
        BerthConfig fromFile = _files.Valid("apps:\n  web: { module: web, python: python3 }\n");

        AppConfig app = Valid(ConfigBuilder.Apply(fromFile, new ConfigOverrides { Venv = venv })).Apps[0];

        Assert.Equal((null, venv), (app.Python, app.Venv));
    }

    [Fact]
    public void A_module_next_to_a_file_replaces_the_module_of_its_one_app()
    {
        BerthConfig fromFile = _files.Valid("apps:\n  web: { module: web }\n");

        Assert.Equal("other:app", Valid(ConfigBuilder.Apply(fromFile, new ConfigOverrides { Module = "other:app" })).Apps[0].Module);
    }

    [Fact]
    public void A_module_next_to_a_file_of_several_apps_is_refused()
    {
        BerthConfig fromFile = _files.Valid("apps:\n  web: { module: web }\n  api: { module: api }\nsites:\n  main: { mounts: { /: web, /api: api } }\n");

        ConfigError error = Assert.Single(ConfigBuilder.Apply(fromFile, new ConfigOverrides { Module = "other:app" }).Errors);

        Assert.Equal("names one app, but the config file defines 2", error.Message);
    }

    [Fact]
    public void A_range_error_from_a_flag_names_the_flag_not_the_file_line()
    {
        BerthConfig fromFile = _files.Valid("apps:\n  web:\n    module: web\n    workers: 4\n");

        ConfigError error = Assert.Single(ConfigBuilder.Apply(fromFile, new ConfigOverrides { Workers = 0 }).Errors);

        Assert.Equal(
            "command line: --workers: must be a whole number from 1 to 1024, got 0. Fix: set --workers to a count such as 4 (gunicorn's rule of thumb is 2 × cores + 1).",
            error.ToString());
    }

    [Fact]
    public void Binding_every_site_to_one_address_needs_sites_told_apart_by_hosts()
    {
        BerthConfig fromFile = _files.Valid("""
            apps: { web: { module: web } }
            sites:
              one: { listen: ":8000", app: web }
              two: { listen: ":8001", app: web }
            """);

        ConfigError error = Assert.Single(ConfigBuilder.Apply(fromFile, new ConfigOverrides { Binds = [":9000"] }).Errors);

        Assert.Equal((4, "sites.two.hosts"), (error.Source.Line, error.Key));
        Assert.StartsWith("--bind gives every site the same addresses", error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_bad_flag_is_reported_with_its_name()
    {
        ConfigResult result = ConfigBuilder.Apply(null, new ConfigOverrides
        {
            Module = "app",
            Threads = 0,
            Binds = ["8000", "127.0.0.1:99999"],
            Static = ["static"],
            GracefulTimeout = "soon",
            MaxBodySize = "10MB",
            ForwardedAllowIps = "10.0.0.0/8",
            Interface = "wsgii",
            Python = "/nonexistent/python3",
            Chdir = Path.Combine(_files.Root, "missing"),
        });

        Assert.All(result.Errors, e => Assert.Equal(SourceSpan.CommandLine, e.Source));
        Assert.Equal(
            ["--graceful-timeout", "--max-body-size", "--interface", "--bind", "--static", "--threads", "--python", "--chdir", "--bind", "--forwarded-allow-ips"],
            result.Errors.Select(e => e.Key));
        Assert.Equal("\"8000\" is a port without an address (:8000 listens on every interface, 127.0.0.1:8000 on this machine only)", result.Errors[3].Message);
    }

    [Fact]
    public void Timeout_and_recycling_flags_apply_to_every_app()
    {
        BerthConfig fromFile = _files.Valid("""
            apps:
              web: { module: web, timeout: 10s, max_lifetime: 1h, max_memory: 1G }
              api: { module: api, max_requests: 500 }
            sites:
              main: { mounts: { /: web, /api: api } }
            """);

        BerthConfig config = Valid(ConfigBuilder.Apply(fromFile, new ConfigOverrides
        {
            Timeout = "2m",
            MaxRequests = 1000,
            MaxRequestsJitter = 50,
            MaxLifetime = "0",
            MaxLifetimeJitter = "0",
            MaxMemory = "512M",
        }));

        Assert.All(config.Apps, a => Assert.Equal(
            (TimeSpan.FromMinutes(2), 1000, 50, (TimeSpan?)null, TimeSpan.Zero, 512L),
            (a.Timeout, a.MaxRequests, a.MaxRequestsJitter, a.MaxLifetime, a.MaxLifetimeJitter, a.MaxMemoryMb)));
    }

    [Fact]
    public void Bad_timeout_and_recycling_flags_are_reported_with_their_names()
    {
        ConfigResult result = ConfigBuilder.Apply(null, new ConfigOverrides
        {
            Module = "app",
            Timeout = "0",
            MaxRequests = -1,
            MaxLifetime = "forever",
            MaxLifetimeJitter = "soon",
            MaxMemory = "512",
        });

        Assert.All(result.Errors, e => Assert.Equal(SourceSpan.CommandLine, e.Source));
        Assert.Equal(["--max-lifetime", "--max-lifetime-jitter", "--max-memory", "--timeout", "--max-requests"], result.Errors.Select(e => e.Key));
        Assert.Equal("set --max-memory to a size such as 512M, above what a worker holds once warmed up (uWSGI's reload-on-rss counts in megabytes; here write the M)", result.Errors[2].Fix);
        Assert.Equal("must be a duration of at least 1s, such as 30, 30s or 2m (a bare number is seconds), got 0s", result.Errors[3].Message);
    }

    [Fact]
    public void A_jitter_flag_without_its_limit_names_the_flags_in_the_fix()
    {
        ConfigError error = Assert.Single(ConfigBuilder.Apply(null, new ConfigOverrides { Module = "app", MaxRequestsJitter = 50 }).Errors);

        Assert.Equal(
            "command line: --max-requests-jitter: is set without max_requests:, the limit it staggers, so it does nothing. " +
            "Fix: set --max-requests as well, or remove --max-requests-jitter.",
            error.ToString());
    }

    [Fact]
    public void Applying_no_flags_keeps_a_valid_file_valid()
    {
        BerthConfig fromFile = _files.Valid("apps:\n  web: { module: web }\n");

        Assert.True(ConfigBuilder.Apply(fromFile, new ConfigOverrides()).IsValid);
    }

    private static BerthConfig Valid(ConfigResult result)
    {
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Config!;
    }

    public void Dispose() => _files.Dispose();
}
