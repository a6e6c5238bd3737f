using Berth.Config;
using Berth.Deploy;

namespace Berth.Tests.Config;

/// <summary>deploy: read from berth.yml as a user writes it: every key, its default, the names other tools give it,
/// and mistakes reported at their line with the fix.</summary>
public sealed class DeployConfigTests : IDisposable
{
    private const string App = "apps:\n  shop:\n    module: shop.wsgi:application\n";

    private static readonly string Home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    private readonly ConfigFixture _files = new();

    [Fact]
    public void Every_key_is_read()
    {
        DeploySettings deploy = Valid("""
            deploy:
              hosts: [deploy@web1.example.com, "ops@[2001:db8::1]:2222"]
              repository: git@github.com:me/shop.git
              branch: release
              revision: v1.4.2
              path: /srv/shop-prod/
              python: /usr/bin/python3.12
              system_packages: [python3-venv, libpq5]
              requirements: requirements/production.txt
              pip: [--no-index, --find-links, /srv/wheels]
              venv_system_site_packages: true
              shared: [db.sqlite3, media/]
              env_file: .env.production
              hooks:
                before_switch: ["python manage.py migrate --noinput", "python manage.py collectstatic --noinput"]
                after_switch: curl -fsS https://hc.example.com/ping
              health_check: { path: /healthz, timeout: 20s }
              keep_releases: 3
              parallel: 2
              batch: 1
              user: www-data
              berth_binary: ~/bin/berth
              upload_code: true
              ssh:
                identity_file: ~/.ssh/deploy_ed25519
                known_hosts: known_hosts
                strict_host_key_checking: "yes"
                connect_timeout: 5s
                options: [ProxyJump=bastion.example.com, ServerAliveInterval=15]
              notify:
                slack: { url: "${SLACK_WEBHOOK_URL}" }
            """);

        Assert.Equal([new DeployHost("deploy", "web1.example.com", 22), new DeployHost("ops", "2001:db8::1", 2222)], deploy.Hosts);
        Assert.Equal(("git@github.com:me/shop.git", "release", "v1.4.2"), (deploy.Repository, deploy.Branch, deploy.Revision));
        Assert.Equal(("/srv/shop-prod", "/usr/bin/python3.12"), (deploy.Path, deploy.Python));
        Assert.Equal(["python3-venv", "libpq5"], deploy.SystemPackages);
        Assert.Equal("requirements/production.txt", deploy.Requirements);
        Assert.Equal(["--no-index", "--find-links", "/srv/wheels"], deploy.PipArguments);
        Assert.True(deploy.VenvSystemSitePackages);
        Assert.Equal(["db.sqlite3", "media/"], deploy.Shared);
        Assert.Equal(Path.Combine(_files.Root, ".env.production"), deploy.EnvFile);
        Assert.Equal(["python manage.py migrate --noinput", "python manage.py collectstatic --noinput"], deploy.BeforeSwitch);
        Assert.Equal(["curl -fsS https://hc.example.com/ping"], deploy.AfterSwitch);
        Assert.Equal(("/healthz", TimeSpan.FromSeconds(20)), (deploy.HealthCheckPath, deploy.HealthCheckTimeout));
        Assert.Equal((3, 2, 1), (deploy.KeepReleases, deploy.Parallel, deploy.Batch));
        Assert.Equal("www-data", deploy.ServiceUser);
        Assert.Equal(Path.Combine(Home, "bin/berth"), deploy.BerthBinary);
        Assert.True(deploy.UploadCode);
        Assert.Equal(Path.Combine(Home, ".ssh/deploy_ed25519"), deploy.Ssh.IdentityFile);
        Assert.Equal(Path.Combine(_files.Root, "known_hosts"), deploy.Ssh.KnownHostsFile);
        Assert.Equal(("yes", TimeSpan.FromSeconds(5)), (deploy.Ssh.StrictHostKeyChecking, deploy.Ssh.ConnectTimeout));
        Assert.Equal(["ProxyJump=bastion.example.com", "ServerAliveInterval=15"], deploy.Ssh.Options);
        Assert.Equal(["SLACK_WEBHOOK_URL"], deploy.Notify!.Slack!.Url.Variables);
        Assert.Equal(new SourceSpan("berth.yml", 4), deploy.Source);
    }

    [Fact]
    public void Hosts_and_repository_are_enough_and_the_rest_has_defaults()
    {
        DeploySettings deploy = Valid("deploy:\n  hosts: web1\n  repository: https://example.com/shop.git\n");

        Assert.Equal(new DeployHost(Environment.UserName, "web1", 22), Assert.Single(deploy.Hosts));
        Assert.Equal(("main", null, "/srv/shop"), (deploy.Branch, deploy.Revision, deploy.Path));
        Assert.Equal(("/usr/bin/python3", "requirements.txt"), (deploy.Python, deploy.Requirements));
        Assert.Empty(deploy.SystemPackages);
        Assert.Empty(deploy.PipArguments);
        Assert.Empty(deploy.Shared);
        Assert.Empty(deploy.BeforeSwitch);
        Assert.Empty(deploy.AfterSwitch);
        Assert.Null(deploy.EnvFile);
        Assert.Equal(("/", TimeSpan.FromSeconds(10)), (deploy.HealthCheckPath, deploy.HealthCheckTimeout));
        Assert.Equal((5, 5, 0), (deploy.KeepReleases, deploy.Parallel, deploy.Batch));
        Assert.Null(deploy.ServiceUser);
        Assert.Null(deploy.BerthBinary);
        Assert.False(deploy.UploadCode);
        Assert.False(deploy.VenvSystemSitePackages);
        Assert.Empty(deploy.Ssh.Options);
        Assert.Null(deploy.Ssh.IdentityFile);
        Assert.Equal(("accept-new", TimeSpan.FromSeconds(10)), (deploy.Ssh.StrictHostKeyChecking, deploy.Ssh.ConnectTimeout));
        Assert.Null(deploy.Notify);
    }

    [Fact]
    public void A_file_without_deploy_has_none()
    {
        Assert.Null(_files.Valid(App).Deploy);
    }

    public static TheoryData<string, string, string, int> HostForms => new()
    {
        { "web1", "", "web1", 22 },
        { "deploy@web1.example.com", "deploy", "web1.example.com", 22 },
        { "deploy@web1:2222", "deploy", "web1", 2222 },
        { "10.0.0.5:22", "", "10.0.0.5", 22 },
        { "deploy@[2001:db8::1]:2222", "deploy", "2001:db8::1", 2222 },
        { "[::1]", "", "::1", 22 },
        { "2001:db8::1", "", "2001:db8::1", 22 },
    };

    [Theory]
    [MemberData(nameof(HostForms))]
    public void Hosts_are_user_at_host_colon_port(string written, string user, string address, int port)
    {
        Assert.True(DeployHostParser.TryParse(written, "me", out DeployHost? host, out string problem), problem);
        Assert.Equal(new DeployHost(user.Length == 0 ? "me" : user, address, port), host);
    }

    [Theory]
    [InlineData("deploy@", "names no host")]
    [InlineData("@web1", "no user")]
    [InlineData("web1:99999", "99999")]
    [InlineData("web1:ssh", "\"ssh\"")]
    [InlineData("[2001:db8::1", "never closes")]
    [InlineData("[web1]:22", "not an IPv6 address")]
    [InlineData("a:b:c", "several colons")]
    [InlineData("web 1", "neither a host name")]
    [InlineData("-oProxyCommand=x", "neither a host name")]
    public void A_host_that_cannot_be_read_says_why(string written, string problem)
    {
        Assert.False(DeployHostParser.TryParse(written, "me", out _, out string said));
        Assert.Contains(problem, said, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_host_is_reported_at_its_line_among_good_ones()
    {
        ConfigError error = OneError("deploy:\n  repository: https://example.com/shop.git\n  hosts:\n    - web1\n    - web2:70000\n", line: 8, key: "deploy.hosts[1]");
        Assert.Contains("web2:70000", error.Message, StringComparison.Ordinal);
        Assert.Contains("[user@]host[:port]", error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_host_listed_twice_is_reported()
    {
        OneError("deploy:\n  repository: https://example.com/shop.git\n  hosts: [deploy@web1, \"deploy@web1:22\"]\n", line: 6, key: "deploy.hosts[1]");
    }

    [Theory]
    [InlineData("../shop", "/shop")] // relative to berth.yml's directory, whatever the current one
    [InlineData("./", "")]
    public void A_local_repository_is_made_absolute(string written, string expectedUnderParent)
    {
        DeploySettings deploy = Valid($"deploy:\n  hosts: web1\n  repository: {written}\n");
        string expected = expectedUnderParent.Length == 0 ? _files.Root : Path.GetDirectoryName(_files.Root) + expectedUnderParent;
        Assert.Equal(expected, deploy.Repository);
    }

    [Theory]
    [InlineData("git@github.com:me/shop.git")]
    [InlineData("ssh://git@example.com:2222/srv/git/shop.git")]
    [InlineData("https://example.com/shop.git")]
    [InlineData("file:///srv/git/shop.git")]
    [InlineData("example.com:shop.git")]
    public void A_remote_repository_is_kept_as_written(string written)
    {
        Assert.Equal(written, Valid($"deploy:\n  hosts: web1\n  repository: \"{written}\"\n").Repository);
    }

    [Fact]
    public void The_path_defaults_to_srv_and_the_first_app()
    {
        DeploySettings deploy = _files.Valid("apps:\n  blog: { module: blog.wsgi:application }\n  api: { module: api.asgi:app }\n" +
            "sites:\n  main: { listen: \":8000\", mounts: { /: blog, /api: api } }\n" +
            "deploy: { hosts: web1, repository: \"https://example.com/x.git\" }\n").Deploy!;
        Assert.Equal("/srv/blog", deploy.Path);
    }

    [Fact]
    public void Without_an_app_the_path_must_be_given()
    {
        _files.Dir("apps.d");
        ConfigError error = Assert.Single(_files.Parse("server: { apps_dir: apps.d }\ndeploy: { hosts: web1, repository: \"https://example.com/x.git\" }\n").Errors);
        Assert.Equal((new SourceSpan("berth.yml", 2), "deploy"), (error.Source, error.Key));
        Assert.Contains("needs path:", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("health_check: /healthz", "/healthz")]
    [InlineData("health_check: off", null)]
    [InlineData("health_check: { path: /up }", "/up")]
    public void Health_check_takes_a_path_a_mapping_or_off(string line, string? path)
    {
        Assert.Equal(path, Valid($"deploy:\n  hosts: web1\n  repository: https://example.com/x.git\n  {line}\n").HealthCheckPath);
    }

    [Fact]
    public void Hooks_take_one_command_or_a_list_and_pip_one_string_or_a_list()
    {
        DeploySettings deploy = Valid("""
            deploy:
              hosts: web1
              repository: https://example.com/x.git
              hooks: { before_switch: "python manage.py migrate --noinput" }
              pip: --no-index --find-links /srv/wheels
            """);

        Assert.Equal(["python manage.py migrate --noinput"], deploy.BeforeSwitch);
        Assert.Equal(["--no-index", "--find-links", "/srv/wheels"], deploy.PipArguments);
    }

    public static TheoryData<string, int, string, string> Mistakes => new()
    {
        // Another tool's name is translated (the key it stands for is then not also reported missing).
        { "  hosts: web1\n  repo: https://example.com/x.git", 6, "deploy.repo", "did you mean `repository`?" },
        { "  servers: web1\n  repository: https://example.com/x.git", 5, "deploy.servers", "did you mean `hosts`?" },
        { "  hosts: web1\n  repository: x\n  deploy_to: /srv/shop", 7, "deploy.deploy_to", "did you mean `path`?" },
        { "  hosts: web1\n  repository: x\n  keep: 3", 7, "deploy.keep", "did you mean `keep_releases`?" },
        { "  hosts: web1\n  repository: x\n  serial: 1", 7, "deploy.serial", "did you mean `batch`?" },
        { "  hosts: web1\n  repository: x\n  hooks: { before_symlink: ls }", 7, "deploy.hooks.before_symlink", "did you mean `before_switch`?" },
        { "  hosts: web1\n  repository: x\n  ssh: { host_key_checking: accept-new }", 7, "deploy.ssh.host_key_checking", "did you mean `strict_host_key_checking`?" },
        { "  hosts: web1\n  repository: x\n  keep_relases: 3", 7, "deploy.keep_relases", "did you mean `keep_releases`?" },
        { "  hosts: web1\n  repository: x\n  workers: 4", 7, "deploy.workers", "goes under an app" },
        // Values out of range or of the wrong form.
        { "  hosts: web1\n  repository: x\n  keep_releases: 0", 7, "deploy.keep_releases", "keep_releases:" },
        { "  hosts: web1\n  repository: x\n  parallel: 0", 7, "deploy.parallel", "parallel:" },
        { "  hosts: web1\n  repository: x\n  batch: -1", 7, "deploy.batch", "batch:" },
        { "  hosts: web1\n  repository: x\n  upload_code: yes", 7, "deploy.upload_code", "true" },
        { "  hosts: web1\n  repository: x\n  path: srv/shop", 7, "deploy.path", "/srv/shop" },
        { "  hosts: web1\n  repository: x\n  path: \"/srv/my shop\"", 7, "deploy.path", "/srv/shop" },
        { "  hosts: web1\n  repository: x\n  shared: [../db.sqlite3]", 7, "deploy.shared[0]", "db.sqlite3" },
        { "  hosts: web1\n  repository: x\n  shared: [.env]", 7, "deploy.shared[0]", "env_file:" },
        { "  hosts: web1\n  repository: x\n  requirements: /etc/requirements.txt", 7, "deploy.requirements", "requirements.txt" },
        { "  hosts: web1\n  repository: x\n  health_check: healthz", 7, "deploy.health_check", "/healthz" },
        { "  hosts: web1\n  repository: x\n  health_check: { path: /up, timeout: 0s }", 7, "deploy.health_check.timeout", "10s" },
        { "  hosts: web1\n  repository: x\n  system_packages: [libpq5, -y]", 7, "deploy.system_packages[1]", "python3-venv" },
        { "  hosts: web1\n  repository: x\n  branch: --upload-pack=evil", 7, "deploy.branch", "main" },
        { "  hosts: web1\n  repository: x\n  user: \"www data\"", 7, "deploy.user", "www-data" },
        { "  hosts: web1\n  repository: x\n  ssh: { strict_host_key_checking: \"no\" }", 7, "deploy.ssh.strict_host_key_checking", "accept-new" },
        { "  hosts: web1\n  repository: x\n  ssh: { options: [ControlPath=/tmp/x] }", 7, "deploy.ssh.options[0]", "remove it" },
        { "  hosts: web1\n  repository: x\n  ssh: { options: [\"ProxyJump bastion\"] }", 7, "deploy.ssh.options[0]", "ProxyJump=" },
        // What a deploy cannot do without.
        { "  repository: x", 4, "deploy", "hosts:" },
        { "  hosts: []\n  repository: x", 5, "deploy.hosts", "hosts:" },
        { "  hosts: web1", 4, "deploy", "repository:" },
    };

    [Theory]
    [MemberData(nameof(Mistakes))]
    public void A_mistake_is_reported_at_its_line_with_a_fix(string lines, int line, string key, string fix)
    {
        ConfigError error = OneError("deploy:\n" + lines + "\n", line, key);
        Assert.Contains(fix, error.Fix + " " + error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_misspelt_deploy_section_is_found()
    {
        ConfigError error = _files.OneError(App + "deplyo:\n  hosts: web1\n", line: 4, key: "deplyo");
        Assert.Contains("did you mean `deploy`?", error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Serve_reads_a_file_with_deploy_and_serves_the_same_apps_and_sites()
    {
        BerthConfig with = _files.Valid(App + "deploy: { hosts: web1, repository: x }\n");
        BerthConfig without = _files.Valid(App);

        ConfigResult served = ConfigBuilder.Apply(with, new ConfigOverrides());
        Assert.True(served.IsValid, string.Join("\n", served.Errors));
        Assert.Equal(without.Apps.Select(a => (a.Name, a.Module, a.Chdir)), served.Config!.Apps.Select(a => (a.Name, a.Module, a.Chdir)));
        Assert.Equal(without.Sites.Select(s => s.Name), served.Config.Sites.Select(s => s.Name));
    }

    [Fact]
    public void Check_names_the_local_files_that_are_missing_with_their_line()
    {
        BerthConfig config = _files.Valid(App + "deploy:\n  hosts: web1\n  repository: ./nowhere\n  env_file: .env.production\n  ssh: { identity_file: keys/deploy }\n");

        ConfigError[] errors = DeployFiles.Check(config).ToArray();

        Assert.Equal([("deploy.env_file", 7), ("deploy.ssh.identity_file", 8), ("deploy.repository", 6)], errors.Select(e => (e.Key, e.Source.Line)));
        Assert.Contains(".gitignore", errors[0].Fix, StringComparison.Ordinal);
        Assert.Contains("ssh-keygen", errors[1].Fix, StringComparison.Ordinal);

        _files.File(".env.production", "SECRET_KEY=x\n");
        _files.File("keys/deploy");
        _files.Dir("nowhere");
        Assert.Empty(DeployFiles.Check(config));
    }

    [Fact]
    public void An_app_env_file_is_resolved_and_must_exist()
    {
        ConfigError error = _files.OneError(App + "    env_file: .env\n", line: 4, key: "apps.shop.env_file");
        Assert.Contains(Path.Combine(_files.Root, ".env"), error.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);

        _files.File(".env", "# Django\nDJANGO_SECRET_KEY=\"s3cret\"\n");
        Assert.Equal(Path.Combine(_files.Root, ".env"), Assert.Single(_files.Valid(App + "    env_file: .env\n").Apps).EnvFile);

        _files.File(".env", "DJANGO_SECRET_KEY\n");
        Assert.Contains("line 1", _files.OneError(App + "    env_file: .env\n", line: 4, key: "apps.shop.env_file").Message, StringComparison.Ordinal);
    }

    private DeploySettings Valid(string deploy) => _files.Valid(App + deploy).Deploy!;

    /// <summary>The one error of berth.yml made of <see cref="App"/> and <paramref name="deploy"/>; lines count from the file's top.</summary>
    private ConfigError OneError(string deploy, int line, string key) => _files.OneError(App + deploy, line, key);

    public void Dispose() => _files.Dispose();
}
