using Berth.Config;
using Berth.Deploy;
using Berth.Deploy.Steps;

namespace Berth.Tests.Deploy.Steps;

public sealed class CommandTests : IDisposable
{
    private static readonly DeployPaths Shop = new("/srv/shop");
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("berth-steps-");

    public void Dispose() => _root.Delete(recursive: true);

    [Fact]
    public void The_switch_is_a_new_link_renamed_over_current() =>
        Assert.Equal("sh -c 'ln -sfn \"$2\" \"$1.tmp\" && mv -T \"$1.tmp\" \"$1\"' sh /srv/shop/current releases/20261204T160000-0123456",
            SwitchStep.Point(Shop, "20261204T160000-0123456").ToString());

    [Fact]
    public void Cleanup_removes_the_named_releases_and_the_venvs_only_they_used()
    {
        var layout = new DeployPaths(_root.FullName);
        foreach ((string release, string venv) in new[] { ("r1", "aaaa"), ("r2", "bbbb"), ("r3", "bbbb") })
        {
            Directory.CreateDirectory(layout.Release(release));
            Directory.CreateDirectory(layout.Venv(venv));
            File.CreateSymbolicLink(Path.Combine(layout.Release(release), ".venv"), $"../../shared/venvs/{venv}");
        }

        RemoteResult result = LocalShell.Run(CleanupStep.Remove(layout, ["r1", "r2"]));

        Assert.True(result.Succeeded, result.Stderr);
        Assert.Equal("aaaa\n", result.Stdout);
        Assert.Equal(["r3"], Directory.GetDirectories(layout.Releases).Select(Path.GetFileName));
        Assert.Equal(["bbbb"], Directory.GetDirectories(layout.Venvs).Select(Path.GetFileName));
    }

    [Fact]
    public void A_release_links_its_venv_relatively() =>
        Assert.Equal("ln -sfn ../../shared/venvs/0123456789abcdef /srv/shop/releases/r1/.venv", VenvStep.Link(Shop, "r1", "0123456789abcdef").ToString());

    [Fact]
    public void The_daemon_is_reloaded_through_its_own_control_socket()
    {
        RemoteCommand reload = ReloadStep.Daemon(Shop, ReloadStep.Kind.Reload);

        Assert.Equal(["sh", "/srv/shop", "reload", "/srv/shop/bin/berth", "/srv/shop/.deploy/control.sock", "/srv/shop/.deploy/berth.pid", "/srv/shop/.deploy/berth.yml", "/srv/shop/.deploy/berth.log"],
            reload.Argv.Skip(3));
        Assert.Contains("exec \"$B\" reload --control \"$S\"", reload.Argv[2], StringComparison.Ordinal);
        Assert.Contains("--daemon --pid-file \"$F\" --log-file \"$7\" --control \"$S\"", reload.Argv[2], StringComparison.Ordinal);
    }

    [Fact]
    public void The_venv_is_built_with_the_system_site_flag_and_pip_arguments_last()
    {
        RemoteCommand build = VenvStep.Build(Shop, "r1", "0123456789abcdef", "/usr/bin/python3", "requirements.txt", ["--no-index", "--find-links", "/srv/wheels"], systemSitePackages: true);

        Assert.Equal(["sh", "/srv/shop/shared/venvs/0123456789abcdef", "/srv/shop/releases/r1", "requirements.txt", "/usr/bin/python3", "--system-site-packages",
                "/srv/shop/shared/venvs/0123456789abcdef/.complete", "/srv/shop/releases/r1/.venv", "../../shared/venvs/0123456789abcdef", "--no-index", "--find-links", "/srv/wheels"],
            build.Argv.Skip(3));
    }

    [Fact]
    public void Shared_paths_are_links_into_shared_and_a_file_is_created_there_through_its_link()
    {
        var layout = new DeployPaths(_root.FullName);
        Directory.CreateDirectory(Path.Combine(layout.Release("r1"), "media"));
        File.WriteAllText(Path.Combine(layout.Release("r1"), "media", "from-git.txt"), "x");

        RemoteResult linked = LocalShell.Run(SharedStep.Link(layout, "r1", ["db.sqlite3", "media/", "data/app.log"]));
        File.WriteAllText(Path.Combine(layout.Release("r1"), "db.sqlite3"), "rows");

        Assert.True(linked.Succeeded, linked.Stderr);
        Assert.Equal("rows", File.ReadAllText(Path.Combine(layout.Shared, "db.sqlite3")));
        Assert.True(Directory.Exists(Path.Combine(layout.Shared, "media")));
        Assert.Equal($"{layout.Shared}/media", new FileInfo(Path.Combine(layout.Release("r1"), "media")).LinkTarget);
        Assert.True(Directory.Exists(Path.Combine(layout.Shared, "data")));
        Assert.False(File.Exists(Path.Combine(layout.Shared, "data", "app.log")));
    }

    [Fact]
    public void An_uploaded_archive_becomes_the_release_with_its_revision_and_requirements()
    {
        var layout = new DeployPaths(_root.FullName);
        string source = Directory.CreateDirectory(Path.Combine(_root.FullName, "src")).FullName;
        File.WriteAllText(Path.Combine(source, "requirements.txt"), "flask\n");
        File.WriteAllText(Path.Combine(source, "app.py"), "app = None\n");
        string tar = Path.Combine(_root.FullName, "upload.tar");
        LocalShell.Run(RemoteCommand.Of("tar", "-c", "-f", tar, "-C", source, "."));

        RemoteResult result = LocalShell.Run(CodeStep.ExtractUpload(layout, tar, "0123456789abcdef0123456789abcdef01234567", "r1", "requirements.txt"));

        Assert.True(result.Succeeded, result.Stderr);
        Assert.Equal("0123456789abcdef0123456789abcdef01234567\n", File.ReadAllText(layout.RevisionFile("r1")));
        Assert.EndsWith("requirements=" + Convert.ToBase64String("flask\n"u8.ToArray()) + "\n", result.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(tar));
    }

    [Fact]
    public void The_health_check_goes_to_loopback_on_the_sites_port_with_its_first_name()
    {
        var site = new SiteConfig("main", [new ListenAddress("0.0.0.0", 8080, null, default)], ["shop.example.com"], [], [new AppMount("/", "web", default)], default);
        var config = new BerthConfig(new ServerSettings(), [site], [], null);

        HealthCheckStep.HealthTarget? target = HealthCheckStep.Target(config, "/healthz");

        Assert.Equal(new HealthCheckStep.HealthTarget("http://127.0.0.1:8080/healthz", "shop.example.com", false), target);
    }

    [Fact]
    public void The_venv_hash_changes_with_requirements_python_pip_arguments_and_the_site_flag()
    {
        byte[] flask = "flask\n"u8.ToArray();
        string one = VenvHash.Compute(flask, "Python 3.11.2", [], true);

        Assert.Equal(16, one.Length);
        Assert.Equal(one, VenvHash.Compute(flask, "Python 3.11.2\n", [], true));
        Assert.NotEqual(one, VenvHash.Compute("flask==3\n"u8.ToArray(), "Python 3.11.2", [], true));
        Assert.NotEqual(one, VenvHash.Compute(flask, "Python 3.12.1", [], true));
        Assert.NotEqual(one, VenvHash.Compute(flask, "Python 3.11.2", ["--no-index"], true));
        Assert.NotEqual(one, VenvHash.Compute(flask, "Python 3.11.2", [], false));
    }
}
