using Berth.Deploy;
using Berth.Deploy.Ssh;

namespace Berth.DeployTests;

/// <summary>The fixtures the deploy tests stand on: a test host can clone the test repository and run its app.</summary>
public sealed class GitTestRepoTests
{
    [Fact]
    public async Task A_test_host_clones_the_repository_and_the_app_counts_in_its_working_directory()
    {
        using GitTestRepo repo = await GitTestRepo.CreateAsync("v1");
        string v2 = await repo.CommitAppAsync("v2");
        await using SshTestHost host = await SshTestHost.StartAsync();
        await using SshHost ssh = await SshHost.ConnectAsync(host.DeployHost, host.SshSettings, new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);

        RemoteResult cloned = await ssh.RunAsync(RemoteCommand.Of("git", "clone", "-q", "--branch", GitTestRepo.Branch, repo.Url, "/srv/app"), null, CancellationToken.None);
        RemoteResult head = await ssh.RunAsync(RemoteCommand.Of("git", "-C", "/srv/app", "rev-parse", "HEAD"), null, CancellationToken.None);
        const string client = "import app; c = app.app.test_client(); print(c.get('/').get_data(as_text=True).strip(), c.get('/healthz').status_code, c.get('/count').get_data(as_text=True).strip(), c.get('/count').get_data(as_text=True).strip())";
        RemoteResult served = await ssh.RunAsync(RemoteCommand.Of("sh", "-c", "cd /srv/app && exec /usr/bin/python3 -c \"$1\"", "sh", client), null, CancellationToken.None);

        Assert.True(cloned.Succeeded, cloned.Stderr);
        Assert.Equal(v2, head.Stdout.Trim());
        Assert.Equal(7, GitTestRepo.Sha7(v2).Length);
        Assert.True(served.Succeeded, served.Stderr);
        Assert.Equal("hello from v2 200 1 2", served.Stdout.Trim());
        Assert.True(File.Exists(Path.Combine(host.SrvPath, "app", "data.db")));
    }
}
