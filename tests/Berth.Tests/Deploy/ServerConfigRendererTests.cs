using Berth.Config;
using Berth.Deploy;
using Berth.Tests.Config;

namespace Berth.Tests.Deploy;

/// <summary>
/// The berth.yml a host serves, read back by the real loader from where it lives on a host laid out as a deploy
/// leaves it ({path}/.deploy/berth.yml, current -> releases/&lt;id&gt;, shared/): it must serve the same apps and
/// sites, from the live release, with data kept in shared/.
/// </summary>
public sealed class ServerConfigRendererTests : IDisposable
{
    private const string Release = "20261204T160000-0123456";

    private readonly ConfigFixture _checkout = new();
    private readonly ConfigFixture _host = new();
    private readonly ConfigFixture _outside = new();

    private string DeployPath => Path.Combine(_host.Root, "srv", "shop");

    [Fact]
    public void The_served_config_means_on_the_host_what_berth_yml_means_in_the_checkout()
    {
        BerthConfig project = Project($$"""
            server:
              graceful_timeout: 10s
              storage: data
              access_log: logs/access.log
              max_body_size: 64M
            apps:
              web:
                module: shop.wsgi:application
                workers: 3
                venv: venv
                timeout: 45s
                max_memory: 512M
                max_lifetime: 1h
                env:
                  DJANGO_SETTINGS_MODULE: shop.settings
                  ODD: "a \"b\" #c: d, [e]"
              api:
                module: api.asgi:app
                interface: asgi
                python: /usr/bin/python3
                chdir: api
            sites:
              main:
                listen: [":8000", "127.0.0.1:8001"]
                hosts: [shop.example.com]
                static: { /static/: static/, /media/: {{_outside.Dir("media")}} }
                mounts: { /: web, /api: api }
            deploy:
              hosts: web1
              repository: .
              path: {{DeployPath}}
              env_file: .env.production
            """);

        string text = ServerConfigRenderer.Render(project, project.Deploy!);
        BerthConfig served = LoadOnHost(text, releaseDirs: ["static", "api"]);

        string current = Path.Combine(DeployPath, "current");
        string shared = Path.Combine(DeployPath, "shared");
        Assert.Null(served.Deploy);
        Assert.DoesNotContain("deploy", text.Split('\n').Where(l => !l.StartsWith('#')).Select(l => l.Split(':')[0]));
        Assert.Equal(["web", "api"], served.Apps.Select(a => a.Name));
        AppConfig web = served.Apps[0];
        Assert.Equal(("shop.wsgi:application", 3, TimeSpan.FromSeconds(45), 512L, TimeSpan.FromHours(1)), (web.Module, web.Workers, web.Timeout, web.MaxMemoryMb, web.MaxLifetime));
        Assert.Equal((current, Path.Combine(current, ".venv"), Path.Combine(shared, ".env")), (web.Chdir, web.Venv, web.EnvFile));
        Assert.Equal(["shop.settings", "a \"b\" #c: d, [e]"], web.Environment.Values);
        AppConfig api = served.Apps[1];
        Assert.Equal((AppInterface.Asgi, null, Path.Combine(current, "api")), (api.Interface, api.Python, api.Chdir));
        SiteConfig main = Assert.Single(served.Sites);
        Assert.Equal(["0.0.0.0:8000", "127.0.0.1:8001"], main.Listen.Select(l => l.ToString()));
        Assert.Equal(["shop.example.com"], main.Hosts);
        Assert.Equal([("/static/", Path.Combine(current, "static")), ("/media/", Path.Combine(_outside.Root, "media"))], main.Static.Select(s => (s.UrlPrefix, s.Directory)));
        Assert.Equal([("/", "web"), ("/api", "api")], main.Mounts.Select(m => (m.UrlPrefix, m.App)));
        Assert.Equal((TimeSpan.FromSeconds(10), 64L << 20), (served.Server.GracefulTimeout, served.Server.MaxBodySize));
        Assert.Equal((Path.Combine(shared, "data"), Path.Combine(shared, "logs", "access.log")), (served.Server.Storage, served.Server.AccessLog));
    }

    [Fact]
    public void Every_app_setting_survives_the_trip()
    {
        // Each key of an app with a value other than its default; a key added to berth.yml must be added here, and
        // then the comparison below fails until the renderer writes it.
        string app = """
            module: shop.wsgi:application
            interface: wsgi
            workers: 7
            threads: 3
            connections: 50
            preload: true
            venv: venv
            chdir: api
            env: { A: "1" }
            env_file: .env.production
            queue: 5
            timeout: 45s
            heartbeat: 5s
            max_requests: 1000
            max_requests_jitter: 50
            max_lifetime: 1h
            max_lifetime_jitter: 5m
            max_memory: 512M
            websocket_drain_timeout: 10s
            websocket_ping_interval: 0
            websocket_idle_timeout: 2m
            """;
        string[] written = app.Split('\n').Select(l => l.Split(':')[0]).ToArray();
        Assert.Equal(ConfigSchema.AppKeys.Select(k => k.Key).Where(k => k != "python").Order(), written.Order());
        BerthConfig project = Project($"apps:\n  web:\n    {app.Replace("\n", "\n    ", StringComparison.Ordinal)}\ndeploy: {{ hosts: web1, repository: ., path: {DeployPath}, env_file: .env.production }}\n");

        AppConfig local = project.Apps[0];
        AppConfig served = Assert.Single(LoadOnHost(ServerConfigRenderer.Render(project, project.Deploy!), releaseDirs: ["api"]).Apps);

        string[] paths = [nameof(AppConfig.Venv), nameof(AppConfig.Chdir), nameof(AppConfig.EnvFile), nameof(AppConfig.Environment), nameof(AppConfig.Source)];
        foreach (System.Reflection.PropertyInfo property in typeof(AppConfig).GetProperties().Where(p => !paths.Contains(p.Name)))
        {
            Assert.True(Equals(property.GetValue(local), property.GetValue(served)), $"{property.Name}: {property.GetValue(local)} in berth.yml, {property.GetValue(served)} on the host");
        }

        Assert.Equal(local.Environment, served.Environment);
        Assert.Equal((Path.Combine(DeployPath, "current", "api"), Path.Combine(DeployPath, "shared", ".env")), (served.Chdir, served.EnvFile));
    }

    [Fact]
    public void The_same_project_renders_the_same_bytes()
    {
        string yaml = $"apps:\n  web: {{ module: shop.wsgi:application, env: {{ B: \"2\", A: \"1\" }} }}\ndeploy: {{ hosts: web1, repository: ., path: {DeployPath} }}\n";
        BerthConfig first = Project(yaml);
        BerthConfig second = Project(yaml);

        string text = ServerConfigRenderer.Render(first, first.Deploy!);

        Assert.Equal(text, ServerConfigRenderer.Render(second, second.Deploy!));
        Assert.Equal(text, ServerConfigRenderer.Render(first, first.Deploy!));
        Assert.DoesNotContain("\r", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_single_app_without_sites_is_served_on_its_implicit_site_and_without_deploy_env_file_keeps_none()
    {
        BerthConfig project = Project($"apps:\n  web:\n    module: shop.wsgi:application\ndeploy: {{ hosts: web1, repository: ., path: {DeployPath} }}\n");

        string text = ServerConfigRenderer.Render(project, project.Deploy!);
        BerthConfig served = LoadOnHost(text, releaseDirs: []);

        Assert.DoesNotContain("sites:", text, StringComparison.Ordinal);
        Assert.Equal((ImplicitSite.Name, "127.0.0.1:8000"), (Assert.Single(served.Sites).Name, served.Sites[0].Listen[0].ToString()));
        Assert.Null(Assert.Single(served.Apps).EnvFile);
    }

    [Fact]
    public void Tls_acme_keeps_its_redirect_and_the_certificate_storage()
    {
        BerthConfig project = Project($$"""
            server: { acme_email: admin@example.com }
            apps: { web: { module: shop.wsgi:application } }
            sites:
              main: { listen: ":443", hosts: [shop.example.com], app: web, tls: acme }
            deploy: { hosts: web1, repository: ., path: {{DeployPath}} }
            """);

        BerthConfig served = LoadOnHost(ServerConfigRenderer.Render(project, project.Deploy!), releaseDirs: []);

        TlsConfig tls = served.Sites[0].Tls!;
        Assert.Equal((TlsMode.Acme, AcmeChallenge.Http01, "0.0.0.0:80"), (tls.Mode, tls.Challenge, tls.RedirectFrom?.ToString()));
        Assert.Equal(("/var/lib/berth", "admin@example.com"), (served.Server.Storage, served.Server.AcmeEmail));
    }

    [Fact]
    public void A_berth_yml_below_the_repository_root_keeps_its_place_in_the_release()
    {
        _checkout.Dir(".git");
        _checkout.Dir("deploy");
        _checkout.File("deploy/berth.yml", $"apps:\n  web: {{ module: shop.wsgi:application }}\ndeploy: {{ hosts: web1, repository: .., path: {DeployPath} }}\n");
        ConfigResult loaded = ConfigLoader.Load(Path.Combine(_checkout.Root, "deploy", "berth.yml"));
        Assert.True(loaded.IsValid, string.Join("\n", loaded.Errors));
        BerthConfig project = loaded.Config!;

        Assert.Equal(("deploy", _checkout.Root), (project.Deploy!.ConfigDirectoryInRepository, project.Deploy.Repository));
        Assert.Contains($"chdir: \"{DeployPath}/current/deploy\"", ServerConfigRenderer.Render(project, project.Deploy), StringComparison.Ordinal);
    }

    [Fact]
    public void The_systemd_unit_runs_the_served_config_from_the_live_release()
    {
        BerthConfig project = Project($"apps:\n  web: {{ module: shop.wsgi:application }}\ndeploy: {{ hosts: web1, repository: ., path: /srv/shop }}\n");

        string unit = SystemdUnit.Render("web", project.Deploy!, "deploy");

        Assert.Contains("\nExecStart=/srv/shop/bin/berth serve --config /srv/shop/.deploy/berth.yml\n", unit, StringComparison.Ordinal);
        Assert.Contains("\nExecReload=/bin/kill -HUP $MAINPID\n", unit, StringComparison.Ordinal);
        Assert.Contains("\nWorkingDirectory=/srv/shop/current\n", unit, StringComparison.Ordinal);
        Assert.Contains("\nUser=deploy\n", unit, StringComparison.Ordinal);
        Assert.Contains("\nRestart=on-failure\n", unit, StringComparison.Ordinal);
        Assert.Contains("\nLimitNOFILE=", unit, StringComparison.Ordinal);
        Assert.Contains("\nAmbientCapabilities=CAP_NET_BIND_SERVICE\n", unit, StringComparison.Ordinal);
        Assert.Equal(unit, SystemdUnit.Render("web", project.Deploy!, "deploy"));
        Assert.Equal("berth-web.service", SystemdUnit.UnitName("web"));

        // Served on :8000 only (the implicit site), it needs no capability.
        Assert.DoesNotContain("AmbientCapabilities", SystemdUnit.Render("web", project.Deploy!, "deploy", project), StringComparison.Ordinal);
    }

    /// <summary>berth.yml in the checkout, loaded as berth deploy loads it.</summary>
    private BerthConfig Project(string yaml)
    {
        _checkout.Venv("venv");
        _checkout.Dir("static");
        _checkout.Dir("api");
        _checkout.Dir("logs");
        _checkout.File(".env.production", "DJANGO_SECRET_KEY=x\n");
        string file = _checkout.File("berth.yml", yaml);
        ConfigResult result = ConfigLoader.Load(file);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Config!;
    }

    /// <summary>The rendered file at {path}/.deploy/berth.yml on a host with one release live, loaded by berth serve's loader.</summary>
    private BerthConfig LoadOnHost(string rendered, string[] releaseDirs)
    {
        string release = _host.Dir(Path.Combine("srv", "shop", "releases", Release));
        _host.Venv(Path.Combine("srv", "shop", "shared", "venvs", "abc"));
        string current = Path.Combine(DeployPath, "current");
        if (!Path.Exists(current))
        {
            Directory.CreateSymbolicLink(current, Path.Combine("releases", Release));
            Directory.CreateSymbolicLink(Path.Combine(release, ".venv"), Path.Combine("..", "..", "shared", "venvs", "abc"));
        }

        foreach (string dir in releaseDirs)
        {
            _host.Dir(Path.Combine("srv", "shop", "releases", Release, dir));
        }

        _host.File(Path.Combine("srv", "shop", "shared", ".env"), "DJANGO_SECRET_KEY=x\n");
        _host.Dir(Path.Combine("srv", "shop", "shared", "logs"));
        string file = _host.File(Path.Combine("srv", "shop", ".deploy", "berth.yml"), rendered);
        ConfigResult result = ConfigLoader.Load(file);
        Assert.True(result.IsValid, string.Join("\n", result.Errors) + "\n" + rendered);
        return result.Config!;
    }

    public void Dispose()
    {
        _checkout.Dispose();
        _host.Dispose();
        _outside.Dispose();
    }
}
