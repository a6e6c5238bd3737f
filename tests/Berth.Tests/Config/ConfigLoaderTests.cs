using Berth.Config;

namespace Berth.Tests.Config;

public sealed class ConfigLoaderTests : IDisposable
{
    private readonly ConfigFixture _files = new();

    [Fact]
    public void An_error_reads_as_file_line_key_message_and_fix()
    {
        ConfigError error = _files.OneError("""
            apps:
              web:
                module: app:application
                workers: two
            """, line: 4, key: "apps.web.workers");

        Assert.Equal(
            "berth.yml:4: apps.web.workers: must be a whole number from 1 to 1024, got \"two\". " +
            "Fix: set workers: to a count such as 4 (gunicorn's rule of thumb is 2 × cores + 1).",
            error.ToString());
    }

    [Fact]
    public void Every_error_is_reported_in_line_order_not_just_the_first()
    {
        ConfigResult result = _files.Parse("""
            server:
              graceful_timeout: soon
            apps:
              web:
                module: app:application
                workers: 0
                threads: many
            sites:
              main:
                listen: ":http"
                app: wbe
            """);

        Assert.Null(result.Config);
        Assert.Equal(
            [(2, "server.graceful_timeout"), (6, "apps.web.workers"), (7, "apps.web.threads"), (10, "sites.main.listen"), (11, "sites.main.app")],
            result.Errors.Select(e => (e.Source.Line, e.Key)));
    }

    [Fact]
    public void A_yaml_syntax_error_names_its_line()
    {
        ConfigError error = _files.OneError("""
            apps:
              web:
                module: app: application
            """, line: 3, key: "");

        Assert.StartsWith("berth.yml:3: not valid YAML: ", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("quote", error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unclosed_bracket_names_its_line()
    {
        // YamlDotNet throws InvalidOperationException here rather than a YamlException.
        ConfigError error = _files.OneError("""
            apps:
              web: { module: app }
            sites:
              main:
                listen: [":8000"
                app: web
            """, line: 5, key: "");

        Assert.Contains("not closed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tab_in_the_indentation_is_reported_on_its_own_line()
    {
        ConfigError error = _files.OneError("apps:\n  web:\n\tmodule: app\n", line: 3, key: "");

        Assert.Contains("tab", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_repeated_key_is_reported_with_both_lines_and_the_rest_of_the_file_is_still_checked()
    {
        ConfigResult result = _files.Parse("""
            apps:
              web:
                module: app:application
              web:
                module: other:application
                workers: -3
            sites:
              main:
                app: web
                hosts: [a.example]
                hosts: [b.example]
            """);

        Assert.Equal([(4, "apps.web"), (11, "sites.main.hosts")], result.Errors.Select(e => (e.Source.Line, e.Key)));
        Assert.Equal("is written twice: here and on line 2", result.Errors[0].Message);
        Assert.Equal("is written twice: here and on line 10", result.Errors[1].Message);
    }

    [Fact]
    public void Two_yaml_documents_are_refused()
    {
        ConfigError error = _files.OneError("""
            apps: { web: { module: app } }
            ---
            apps: { api: { module: api } }
            """, line: 3, key: "");

        Assert.Contains("more than one YAML document", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_file_has_no_apps()
    {
        ConfigError error = _files.OneError("# nothing yet\n", line: 0, key: "apps");

        Assert.Equal("berth.yml: apps: no apps are defined. Fix: add one under apps:, such as `apps: { web: { module: myproject.wsgi:application } }`, or set server.apps_dir: to a directory of app files.", error.ToString());
    }

    [Fact]
    public void A_file_that_is_a_list_is_refused()
    {
        ConfigError error = _files.OneError("- web\n- api\n", line: 1, key: "");

        Assert.Contains("a list", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sever:\n  access_log: \"-\"\napps: { web: { module: app } }\n", 1, "sever", "did you mean `server`?")]
    [InlineData("server:\n  graceful_timout: 5s\napps: { web: { module: app } }\n", 2, "server.graceful_timout", "did you mean `graceful_timeout`?")]
    [InlineData("apps:\n  web:\n    module: app\n    worker: 4\n", 4, "apps.web.worker", "did you mean `workers`?")]
    [InlineData("apps:\n  web:\n    module: app\n    wokrers: 4\n", 4, "apps.web.wokrers", "did you mean `workers`?")]
    [InlineData("server:\n  max_body: 1M\napps: { web: { module: app } }\n", 2, "server.max_body", "did you mean `max_body_size`?")]
    [InlineData("apps: { web: { module: app } }\nsites:\n  main:\n    app: web\n    bind: \":8000\"\n", 5, "sites.main.bind", "did you mean `listen`? That is berth's name for `bind`")]
    [InlineData("apps: { web: { module: app } }\nsites:\n  main:\n    app: web\n    workers: 4\n", 5, "sites.main.workers", "`workers` goes under an app (apps.<name>:), not here")]
    [InlineData("apps:\n  web:\n    module: app\n    max-body-size: 1M\n", 4, "apps.web.max-body-size", "`max_body_size` goes under server:, not here")]
    [InlineData("apps:\n  web:\n    module: app\n    server_name: example.com\n", 4, "apps.web.server_name", "berth calls this `hosts`, and it belongs under a site (sites.<name>:)")]
    [InlineData("server:\n  max-body-size: 1M\napps: { web: { module: app } }\n", 2, "server.max-body-size", "write it as `max_body_size` (lower case, with underscores)")]
    [InlineData("apps:\n  web:\n    module: app\n    preload_app: true\n", 4, "apps.web.preload_app", "did you mean `preload`? That is berth's name for `preload_app`")]
    [InlineData("apps:\n  web:\n    module: app\n    colour: blue\n", 4, "apps.web.colour", "remove it; the keys under an app (apps.<name>:) are module, interface, workers, threads, connections, preload, python, venv, chdir, env, env_file, queue, timeout, heartbeat, max_requests, max_requests_jitter, max_lifetime, max_lifetime_jitter, max_memory, websocket_drain_timeout, websocket_ping_interval, websocket_idle_timeout")]
    [InlineData("apps:\n  web:\n    module: app\n    harakiri: 60\n", 4, "apps.web.harakiri", "did you mean `timeout`? That is berth's name for `harakiri`")]
    [InlineData("apps:\n  web:\n    module: app\n    reload-on-rss: 512\n", 4, "apps.web.reload-on-rss", "did you mean `max_memory`? That is berth's name for `reload-on-rss`")]
    [InlineData("apps:\n  web:\n    module: app\n    worker-reload-mercy: 60\n", 4, "apps.web.worker-reload-mercy", "did you mean `websocket_drain_timeout`? That is berth's name for `worker-reload-mercy`")]
    [InlineData("apps:\n  web:\n    module: app\n    max_worker_lifetime: 1h\n", 4, "apps.web.max_worker_lifetime", "did you mean `max_lifetime`? That is berth's name for `max_worker_lifetime`")]
    [InlineData("apps:\n  web:\n    module: app\n    max_requets: 1000\n", 4, "apps.web.max_requets", "did you mean `max_requests`?")]
    [InlineData("server:\n  timeout: 60\napps: { web: { module: app } }\n", 2, "server.timeout", "`timeout` goes under an app (apps.<name>:), not here")]
    public void An_unknown_key_at_any_level_gets_a_suggestion(string yaml, int line, string key, string fix)
    {
        ConfigError error = _files.OneError(yaml, line, key);

        Assert.Equal("unknown setting", error.Message);
        Assert.Equal(fix, error.Fix);
    }

    [Theory]
    [InlineData("server:\n  graceful_timeout: soon\n", 2, "server.graceful_timeout", "must be a duration such as 30, 30s, 2m or 500ms (a bare number is seconds), got \"soon\"")]
    [InlineData("server:\n  max_body_size: 10MB\n", 2, "server.max_body_size", "must be a size such as 512, 64k, 10M or 1G (k, M, G count in 1024s), got \"10MB\"")]
    [InlineData("server:\n  access_log: [a, b]\n", 2, "server.access_log", "must be a file path, or - for standard output, got a list")]
    [InlineData("server: [1]\n", 1, "server", "must be a mapping of server settings (access_log:, graceful_timeout:, …), got a list")]
    [InlineData("server:\n  forwarded_allow_ips: { a: b }\n", 2, "server.forwarded_allow_ips", "must be a list of IP addresses, or *, got a mapping")]
    public void A_server_value_of_the_wrong_form_is_reported(string yaml, int line, string key, string message)
    {
        ConfigError error = _files.OneError(yaml + "apps: { web: { module: app } }\n", line, key);

        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData("interface: wgsi", "apps.web.interface", "must be auto, wsgi or asgi, got \"wgsi\"")]
    [InlineData("queue: 1.5", "apps.web.queue", "must be a whole number ≥ 0, got \"1.5\"")]
    [InlineData("timeout: soon", "apps.web.timeout", "must be a duration of at least 1s, such as 30, 30s or 2m (a bare number is seconds), got \"soon\"")]
    [InlineData("max_requests: 1k", "apps.web.max_requests", "must be a whole number ≥ 0, got \"1k\"")]
    [InlineData("max_lifetime: 1d", "apps.web.max_lifetime", "must be a duration such as 30, 30s, 2m or 500ms (a bare number is seconds), or 0 for never, got \"1d\"")]
    [InlineData("max_memory: 1.5G", "apps.web.max_memory", "must be 0 for never, or a size of at least 16M in whole megabytes, such as 512M or 2G (a bare number is bytes), got \"1.5G\"")]
    [InlineData("preload: yes", "apps.web.preload", "must be true or false, got \"yes\"")]
    [InlineData("preload: [true]", "apps.web.preload", "must be true or false, got a list")]
    [InlineData("env: [A, B]", "apps.web.env", "must be a mapping of environment variable names to values, such as { DJANGO_SETTINGS_MODULE: mysite.settings }, got a list")]
    [InlineData("env: { A: [1, 2] }", "apps.web.env.A", "must be text, got a list")]
    public void An_app_value_of_the_wrong_form_is_reported(string setting, string key, string message)
    {
        ConfigError error = _files.OneError($"apps:\n  web:\n    module: app\n    {setting}\n", line: 4, key);

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void A_bare_max_memory_is_bytes_and_refused_with_the_unit_to_write()
    {
        // uWSGI's reload-on-rss = 512 means megabytes; the same number here would be 512 bytes.
        ConfigError error = _files.OneError("apps:\n  web:\n    module: app\n    max_memory: 512\n", line: 4, key: "apps.web.max_memory");

        Assert.EndsWith("(a bare number is bytes), got \"512\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("here write the M", error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Timeout_and_recycling_limits_are_read_with_their_units()
    {
        BerthConfig config = _files.Valid("""
            apps:
              web:
                module: app
                timeout: 2m
                max_requests: 1000
                max_requests_jitter: 50
                max_lifetime: 1h
                max_lifetime_jitter: 90
                max_memory: 1G
              api:
                module: api
            sites:
              main: { mounts: { /: web, /api: api } }
            """);

        AppConfig web = config.Apps[0];
        Assert.Equal(TimeSpan.FromMinutes(2), web.Timeout);
        Assert.Equal((1000, 50), (web.MaxRequests, web.MaxRequestsJitter));
        Assert.Equal((TimeSpan.FromHours(1), TimeSpan.FromSeconds(90)), (web.MaxLifetime, web.MaxLifetimeJitter));
        Assert.Equal(1024, web.MaxMemoryMb);
        AppConfig api = config.Apps[1]; // left out: 30s, and no recycling
        Assert.Equal((TimeSpan.FromSeconds(30), 0, 0, null, TimeSpan.Zero, 0L),
            (api.Timeout, api.MaxRequests, api.MaxRequestsJitter, api.MaxLifetime, api.MaxLifetimeJitter, api.MaxMemoryMb));
    }

    [Fact]
    public void Websocket_drain_timeout_is_30s_unless_set_and_0_is_allowed()
    {
        BerthConfig config = _files.Valid("apps:\n  web: { module: app }\n  ws: { module: app, websocket_drain_timeout: 2m }\n  now: { module: app, websocket_drain_timeout: 0 }\n"
            + "sites:\n  main: { listen: \":8000\", mounts: { /: web, /ws: ws, /now: now } }\n");

        Assert.Equal(
            [TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), TimeSpan.Zero],
            config.Apps.Select(a => a.WebSocketDrainTimeout));
    }

    [Fact]
    public void Websockets_are_pinged_every_30s_and_never_closed_for_quiet_unless_set()
    {
        BerthConfig config = _files.Valid("apps:\n  web: { module: app }\n  chat: { module: app, websocket_ping_interval: 20s, websocket_idle_timeout: 10m }\n"
            + "sites:\n  main: { listen: \":8000\", mounts: { /: web, /chat: chat } }\n");

        Assert.Equal(
            [(TimeSpan.FromSeconds(30), TimeSpan.Zero), (TimeSpan.FromSeconds(20), TimeSpan.FromMinutes(10))],
            config.Apps.Select(a => (a.WebSocketPingInterval, a.WebSocketIdleTimeout)));
    }

    [Fact]
    public void Zero_turns_a_recycling_limit_off()
    {
        AppConfig app = _files.Valid("apps:\n  web: { module: app, max_requests: 0, max_lifetime: 0, max_memory: 0 }\n").Apps[0];

        Assert.Equal((0, null, 0L), (app.MaxRequests, app.MaxLifetime, app.MaxMemoryMb));
    }

    [Fact]
    public void An_app_written_as_a_module_string_gets_the_mapping_it_needs()
    {
        ConfigError error = _files.OneError("apps:\n  web: app:application\n", line: 2, key: "apps.web");

        Assert.Equal("write it as `web: { module: app:application }`, or put module: and the app's other settings on indented lines under it", error.Fix);
    }

    [Theory]
    [InlineData("preload: true", true)]
    [InlineData("preload: True", true)]
    [InlineData("preload: false", false)]
    [InlineData("preload:", false)]
    [InlineData("workers: 3", false)]
    public void Preload_is_read_as_true_or_false_and_is_off_by_default(string setting, bool expected)
    {
        BerthConfig config = _files.Valid($"apps:\n  web:\n    module: app\n    {setting}\n");

        Assert.Equal(expected, config.Apps[0].Preload);
    }

    [Fact]
    public void An_empty_value_is_the_same_as_leaving_the_key_out()
    {
        BerthConfig config = _files.Valid("""
            server:
              graceful_timeout:
              access_log: ~
            apps:
              web:
                module: app
                workers:
            sites:
            """);

        Assert.Equal(TimeSpan.FromSeconds(30), config.Server.GracefulTimeout);
        Assert.Null(config.Server.AccessLog);
        Assert.Equal(2, config.Apps[0].Workers);
    }

    [Fact]
    public void Relative_paths_are_relative_to_the_config_files_directory()
    {
        _files.Dir("src");
        _files.Dir("static");
        _files.Dir("logs");
        _files.File("venv/bin/python");
        _files.File("bin/python3");
        BerthConfig config = _files.Valid("""
            server:
              access_log: logs/access.log
              runtime_dir: run
            apps:
              web:
                module: app
                chdir: src
                venv: ./venv
              api:
                module: api
                python: bin/python3
            sites:
              main:
                listen: unix:berth.sock
                static: { /static/: static }
                mounts: { /: web, /api: api }
            """);

        Assert.Equal(Path.Combine(_files.Root, "logs", "access.log"), config.Server.AccessLog);
        Assert.Equal(Path.Combine(_files.Root, "run"), config.Server.RuntimeDir);
        Assert.Equal(Path.Combine(_files.Root, "src"), config.Apps[0].Chdir);
        Assert.Equal(Path.Combine(_files.Root, "venv"), config.Apps[0].Venv);
        Assert.Equal(Path.Combine(_files.Root, "bin", "python3"), config.Apps[1].Python);
        Assert.Equal(_files.Root, config.Apps[1].Chdir); // chdir defaults to the file's directory
        Assert.Equal(Path.Combine(_files.Root, "berth.sock"), config.Sites[0].Listen[0].UnixPath);
        Assert.Equal(Path.Combine(_files.Root, "static"), config.Sites[0].Static[0].Directory);
        Assert.Equal(Path.Combine(_files.Root, "berth.yml"), config.Path);
    }

    [Fact]
    public void Environment_values_are_the_text_as_written()
    {
        BerthConfig config = _files.Valid("""
            apps:
              web:
                module: app
                env:
                  DEBUG: 0
                  FEATURE: on
                  RATIO: 1.50
                  EMPTY:
                  QUOTED: "yes"
            """);

        Assert.Equal(new Dictionary<string, string> { ["DEBUG"] = "0", ["FEATURE"] = "on", ["RATIO"] = "1.50", ["EMPTY"] = "", ["QUOTED"] = "yes" },
            config.Apps[0].Environment);
    }

    [Fact]
    public void One_app_and_no_sites_is_served_at_slash_on_127_0_0_1_8000()
    {
        BerthConfig config = _files.Valid("apps:\n  web:\n    module: app:application\n");

        SiteConfig site = Assert.Single(config.Sites);
        Assert.Equal(ImplicitSite.Name, site.Name);
        Assert.Equal("127.0.0.1:8000", Assert.Single(site.Listen).ToString());
        Assert.Empty(site.Hosts);
        Assert.Equal(("/", "web"), (Assert.Single(site.Mounts).UrlPrefix, site.Mounts[0].App));
    }

    [Fact]
    public void A_site_without_listen_listens_on_127_0_0_1_8000()
    {
        BerthConfig config = _files.Valid("apps: { web: { module: app } }\nsites:\n  main:\n    app: web\n");

        Assert.Equal("127.0.0.1:8000", Assert.Single(config.Sites[0].Listen).ToString());
    }

    [Fact]
    public void List_settings_also_take_a_single_string()
    {
        BerthConfig config = _files.Valid("""
            server:
              forwarded_allow_ips: "10.0.0.1, 10.0.0.2"
            apps: { web: { module: app } }
            sites:
              main:
                listen: "[::1]:9000"
                hosts: WWW.Example.COM.
                app: web
            """);

        Assert.Equal(["10.0.0.1", "10.0.0.2"], config.Server.ForwardedAllowIps);
        Assert.Equal("[::1]:9000", Assert.Single(config.Sites[0].Listen).ToString());
        Assert.Equal(["www.example.com"], config.Sites[0].Hosts);
    }

    [Fact]
    public void A_bad_item_of_a_list_is_reported_on_its_own_line()
    {
        ConfigError error = _files.OneError("""
            apps: { web: { module: app } }
            sites:
              main:
                app: web
                listen:
                  - 127.0.0.1:8000
                  - example.com:80
            """, line: 7, key: "sites.main.listen[1]");

        Assert.Equal("\"example.com:80\" names `example.com`, which is not an IP address (berth listens on addresses; host names go under hosts:)", error.Message);
    }

    [Fact]
    public void Load_reads_a_file_and_names_it_as_given()
    {
        string path = _files.File("conf/berth.yml", "apps:\n  web:\n    module: app\n    workers: 0\n");

        ConfigResult result = ConfigLoader.Load(path);

        Assert.Equal(new SourceSpan(path, 4), Assert.Single(result.Errors).Source);
    }

    [Fact]
    public void Load_of_a_missing_file_says_so()
    {
        ConfigResult result = ConfigLoader.Load(Path.Combine(_files.Root, "nope.yml"));

        ConfigError error = Assert.Single(result.Errors);
        Assert.Contains("no such file", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, error.Source.Line);
    }

    [Fact]
    public void Load_sets_the_full_path()
    {
        string path = _files.File("berth.yml", "apps: { web: { module: app } }\n");

        ConfigResult result = ConfigLoader.Load(path);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(path, result.Config!.Path);
    }

    public void Dispose() => _files.Dispose();
}
