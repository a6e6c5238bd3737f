using Berth.Deploy;

namespace Berth.Tests.Deploy;

public sealed class HostFactsTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("berth-facts-");

    public void Dispose() => _root.Delete(recursive: true);

    private static HostFacts.Query Query(DeployPaths layout) =>
        new(layout, "/usr/bin/python3", "requirements.txt", [], ["db.sqlite3", "media/"], Environment.UserName, "/etc/systemd/system/berth-web.service");

    [Fact]
    public void An_empty_host_has_no_release_no_venv_and_no_copies()
    {
        var layout = new DeployPaths(Path.Combine(_root.FullName, "srv", "shop"));

        RemoteResult result = LocalShell.Run(HostFacts.Command(Query(layout)));
        HostFacts facts = HostFacts.Parse(result.Stdout);

        Assert.True(result.Succeeded, result.Stderr);
        Assert.Null(facts.CurrentRelease);
        Assert.Empty(facts.Releases);
        Assert.Empty(facts.Directories);
        Assert.Null(facts.BerthSha);
        Assert.Null(facts.LockOwner);
        Assert.StartsWith("Python 3", facts.PythonVersion, StringComparison.Ordinal);
    }

    [Fact]
    public void A_deployed_host_reports_its_live_release_revision_venv_links_and_lock()
    {
        var layout = new DeployPaths(Path.Combine(_root.FullName, "shop"));
        string release = layout.Release("20261204T160000-0123456");
        Directory.CreateDirectory(release);
        Directory.CreateDirectory(Path.Combine(layout.Venv("abcdef0123456789")));
        File.WriteAllText(Path.Combine(layout.Venv("abcdef0123456789"), ".complete"), "");
        File.WriteAllText(Path.Combine(release, "REVISION"), "0123456789abcdef0123456789abcdef01234567\n");
        File.WriteAllText(Path.Combine(release, "requirements.txt"), "flask\n");
        File.CreateSymbolicLink(Path.Combine(release, ".venv"), "../../shared/venvs/abcdef0123456789");
        File.CreateSymbolicLink(Path.Combine(release, "db.sqlite3"), $"{layout.Shared}/db.sqlite3");
        File.CreateSymbolicLink(layout.Current, "releases/20261204T160000-0123456");
        Directory.CreateDirectory(layout.Bin);
        File.WriteAllText(layout.BerthBinary, "berth");
        Directory.CreateDirectory(layout.Lock);
        File.WriteAllText(layout.LockOwner, "who=alice\nfrom=laptop\nsince=2026-12-04T16:00:00Z\npid=42\n");

        HostFacts facts = HostFacts.Parse(LocalShell.Run(HostFacts.Command(Query(layout))).Stdout);

        Assert.Equal("20261204T160000-0123456", facts.CurrentRelease);
        Assert.Equal("0123456789abcdef0123456789abcdef01234567", facts.CurrentRevision);
        Assert.Equal("abcdef0123456789", DeployPaths.TargetName(facts.CurrentVenvTarget));
        Assert.Contains("abcdef0123456789", facts.CompleteVenvs);
        Assert.Equal("flask\n", System.Text.Encoding.UTF8.GetString(facts.CurrentRequirements!));
        Assert.Equal($"{layout.Shared}/db.sqlite3", facts.SharedLinks["db.sqlite3"]);
        Assert.Null(facts.SharedLinks["media"]);
        Assert.Equal(["20261204T160000-0123456"], facts.Releases);
        Assert.Equal(64, facts.BerthSha!.Length);
        Assert.Equal("alice on laptop since 2026-12-04 16:00:00 UTC (pid 42)", LockOwner.Describe(facts.LockOwner));
        Assert.Equal(Environment.UserName, facts.Directories[layout.Bin]);
    }
}
