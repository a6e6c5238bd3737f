using System.CommandLine;
using Berth.Cli;
using Berth.Deploy;

namespace Berth.DeployTests;

/// <summary>
/// <c>berth releases</c> and <c>berth logs</c> against a real sshd: what a user sees of a host that deploys left
/// in the layout of DESIGN.md (history, <c>current</c>, daemon mode's log).
/// </summary>
public sealed class ReleasesAndLogsTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly DateTimeOffset Started = new(2026, 12, 4, 16, 0, 0, TimeSpan.Zero);

    private readonly string _dir = Directory.CreateTempSubdirectory("berth-releases").FullName;
    private SshTestHost _host = null!;

    private string Shop => Path.Combine(_host.SrvPath, "shop");

    public async Task InitializeAsync() => _host = await SshTestHost.StartAsync();

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Releases_lists_the_history_newest_first_with_the_live_one_marked()
    {
        const string good = "20261204T160000-aaaaaaa", broken = "20261204T170000-bbbbbbb";
        Directory.CreateDirectory(Path.Combine(Shop, "releases", good));
        Directory.CreateDirectory(Path.Combine(Shop, "releases", broken));
        Directory.CreateDirectory(Path.Combine(Shop, ".deploy"));
        Directory.CreateSymbolicLink(Path.Combine(Shop, "current"), "releases/" + good);
        await File.WriteAllLinesAsync(Path.Combine(Shop, ".deploy", "releases.jsonl"),
        [
            ReleaseHistory.ToJsonLine(new ReleaseRecord(good, "aaaaaaa0123456789abcdef0123456789abcdef", ReleaseStatus.Ok, "alice", "laptop", Started, TimeSpan.FromSeconds(42), "h1", null, null)),
            ReleaseHistory.ToJsonLine(new ReleaseRecord(broken, "bbbbbbb0123456789abcdef0123456789abcdef", ReleaseStatus.Failed, "bob", "ci", Started.AddHours(1), TimeSpan.FromSeconds(7), null, "venv", "ERROR: No matching distribution found for flask==9")),
            """{"id":"20261204T180000-ccccccc","revis""", // a run killed mid-write
        ]);

        (int exit, string output, string error) = await BerthAsync("releases", "--config", Config());

        Assert.True(exit == 0, error);
        string[] lines = output.Split('\n');
        Assert.Equal($"{_host.DeployHost.Label}  /srv/shop", lines[0]);
        Assert.StartsWith($"   {broken}  failed", lines[2], StringComparison.Ordinal);
        Assert.Contains("venv: ERROR: No matching distribution found for flask==9", lines[2], StringComparison.Ordinal);
        Assert.StartsWith($"*  {good}  ok", lines[3], StringComparison.Ordinal);
        Assert.Contains("alice", lines[3], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logs_prints_the_last_lines_and_follows_until_cancelled()
    {
        string log = Path.Combine(Shop, ".deploy", "berth.log");
        Directory.CreateDirectory(Path.GetDirectoryName(log)!);
        await File.WriteAllTextAsync(log, "one\ntwo\nthree\n");

        (int exit, string output, string error) = await BerthAsync("logs", "-n", "2", "--config", Config());
        Assert.True(exit == 0, error);
        Assert.Equal("two\nthree\n", output);

        using var stop = new CancellationTokenSource(Patience);
        var buffer = new StringWriter();
        TextWriter followed = TextWriter.Synchronized(buffer);
        Task<int> follow = BerthCommand.Build().Parse(["logs", "-f", "-n", "1", "--config", Config()])
            .InvokeAsync(new InvocationConfiguration { Output = followed, Error = followed }, stop.Token);
        await UntilAsync(() => Read(followed, buffer).Contains("three\n", StringComparison.Ordinal), follow);
        await File.AppendAllTextAsync(log, "four\n");
        await UntilAsync(() => Read(followed, buffer).Contains("four\n", StringComparison.Ordinal), follow);
        await stop.CancelAsync();

        Assert.Equal(0, await follow);
        Assert.Equal("three\nfour\n", Read(followed, buffer));
    }

    [Fact]
    public async Task Logs_on_a_host_berth_never_served_says_so()
    {
        (int exit, _, string error) = await BerthAsync("logs", "--config", Config());

        Assert.Equal(1, exit);
        Assert.Contains("no log at /srv/shop/.deploy/berth.log yet", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_host_that_cannot_be_reached_is_named()
    {
        (int exit, _, string error) = await BerthAsync("releases", "--config", Config(port: 2222));

        Assert.Equal(1, exit);
        Assert.Contains($"{_host.Address}:2222", error, StringComparison.Ordinal);
    }

    private string Config(int port = DeployHost.DefaultPort)
    {
        string file = Path.Combine(_dir, "berth.yml");
        string host = port == DeployHost.DefaultPort ? $"root@{_host.Address}" : $"root@{_host.Address}:{port}";
        File.WriteAllText(file, $$"""
            apps:
              shop: { module: shop.wsgi:application }
            deploy:
              hosts: ["{{host}}"]
              repository: https://example.com/shop.git
              path: /srv/shop
              ssh:
                identity_file: {{_host.IdentityFile}}
                known_hosts: {{_host.KnownHostsFile}}
                connect_timeout: 5s
            """);
        return file;
    }

    private static async Task<(int Exit, string Output, string Error)> BerthAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var deadline = new CancellationTokenSource(Patience);
        int exit = await BerthCommand.Build().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, deadline.Token);
        return (exit, output.ToString(), error.ToString());
    }

    /// <summary>What the synchronized writer holds so far; its lock is the one its writes take.</summary>
    private static string Read(TextWriter synchronized, StringWriter buffer)
    {
        lock (synchronized)
        {
            return buffer.ToString();
        }
    }

    /// <summary>Waits for <paramref name="condition"/>, failing fast when the command ended instead.</summary>
    private static async Task UntilAsync(Func<bool> condition, Task<int> command)
    {
        using var bound = new CancellationTokenSource(Patience);
        while (!condition())
        {
            Assert.False(command.IsCompleted, "berth logs -f ended before the line arrived");
            await Task.Delay(100, bound.Token);
        }
    }
}
