using System.CommandLine;
using Berth.Cli;
using Berth.Deploy;
using Berth.Tests.Config;
using Berth.Tests.Deploy;

namespace Berth.Tests.Cli;

/// <summary><c>berth releases</c> and <c>berth logs</c>: what a user reads, and what they are told when berth.yml
/// cannot say which hosts to ask. Reaching real hosts is Berth.DeployTests' part.</summary>
public sealed class ReleasesCommandTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 18, 0, 0, TimeSpan.Zero);

    private readonly ConfigFixture _files = new();

    private static IReadOnlyList<ReleaseRecord> History =>
    [
        ReleaseHistoryTests.Record("20261204T100000-aaaaaaa", ReleaseStatus.Ok),
        ReleaseHistoryTests.Record("20261204T120000-bbbbbbb", ReleaseStatus.Failed) with { Error = "Collecting flask==9\nERROR: No matching distribution found for flask==9" },
        ReleaseHistoryTests.Record("20261204T140000-ccccccc", ReleaseStatus.RolledBack) with { FailedStep = "health check", Error = "GET /healthz answered 500 [Internal Server Error]" },
    ];

    [Fact]
    public void Rows_are_newest_first_with_the_live_release_marked()
    {
        IReadOnlyList<string[]> rows = ReleasesView.Rows(History, "20261204T100000-aaaaaaa", Now);

        Assert.Equal(["20261204T140000-ccccccc", "20261204T120000-bbbbbbb", "20261204T100000-aaaaaaa"], rows.Select(r => r[1]));
        Assert.Equal(["", "", "*"], rows.Select(r => r[0]));
        Assert.Equal(["*", "20261204T100000-aaaaaaa", "ok", "aaaaaaa", "alice", "laptop", "2026-12-04 16:00 (2h 0m ago)", "30s", ""], rows[2]);
        Assert.Equal("venv: ERROR: No matching distribution found for flask==9", rows[1][8]);
        Assert.Equal(("rolled_back", "health check: GET /healthz answered 500 [Internal Server Error]"), (rows[0][2], rows[0][8]));
    }

    [Fact]
    public void Plain_text_has_a_header_and_aligned_columns()
    {
        string text = ReleasesView.RenderPlain("deploy@web1", "/srv/shop", History, "20261204T100000-aaaaaaa", Now);

        string[] lines = text.TrimEnd('\n').Split('\n');
        Assert.Equal("deploy@web1  /srv/shop", lines[0]);
        Assert.StartsWith("   RELEASE", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("*  20261204T100000-aaaaaaa  ok ", lines[4], StringComparison.Ordinal);
        Assert.Equal(lines[1].IndexOf("REVISION", StringComparison.Ordinal), lines[4].IndexOf("aaaaaaa ", 20, StringComparison.Ordinal));
    }

    [Fact]
    public void The_table_shows_error_brackets_as_written()
    {
        string text = StatusViewTests.RenderToString(ReleasesView.Render("deploy@web1", "/srv/shop", History, "20261204T100000-aaaaaaa", Now));

        Assert.Contains("deploy@web1  /srv/shop", text, StringComparison.Ordinal);
        Assert.Contains("[Internal Server Error]", text, StringComparison.Ordinal);
        Assert.Contains("rolled_back", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "no releases yet")]
    [InlineData("20261204T100000-aaaaaaa", "no history on this host; live: 20261204T100000-aaaaaaa")]
    public void A_host_without_history_says_so(string? live, string said)
    {
        Assert.Contains(said, ReleasesView.RenderPlain("deploy@web1", "/srv/shop", [], live, Now), StringComparison.Ordinal);
    }

    [Fact]
    public void A_live_release_missing_from_the_history_is_named()
    {
        Assert.Contains("live: 20261205T100000-ddddddd, which the history does not list",
            ReleasesView.RenderPlain("deploy@web1", "/srv/shop", History, "20261205T100000-ddddddd", Now), StringComparison.Ordinal);
    }

    [Fact]
    public void The_remote_output_splits_into_history_and_live_release()
    {
        string output = ReleaseHistory.ToJsonLine(History[0]) + "\n" + ReleaseHistory.ToJsonLine(History[1]) + "\n\n--- berth: live release ---\nreleases/20261204T100000-aaaaaaa\n";

        (IReadOnlyList<ReleaseRecord> history, string? live) = ReleasesCommand.Parse(output);

        Assert.Equal(2, history.Count);
        Assert.Equal("20261204T100000-aaaaaaa", live);
        Assert.Null(ReleasesCommand.Parse("\n--- berth: live release ---\n").LiveId);
        Assert.Equal("x", ReleasesCommand.Parse("--- berth: live release ---\n/srv/shop/releases/x/\n").LiveId);
    }

    [Fact]
    public void The_commands_read_the_layout_of_the_deploy()
    {
        DeployTarget target = Targets("deploy:\n  hosts: [deploy@web1]\n  repository: x\n  path: /srv/shop\n")[0];

        Assert.Equal("sh -c 'cat \"$1\" 2>/dev/null; echo; echo '\\''--- berth: live release ---'\\''; readlink \"$2\" 2>/dev/null; exit 0' sh /srv/shop/.deploy/releases.jsonl /srv/shop/current",
            ReleasesCommand.Read(target.Paths).ToString());
        RemoteCommand logs = LogsCommand.Read(target, 500, follow: true);
        Assert.Equal(["berth-shop.service", "/srv/shop/.deploy/berth.log", "500", "1", "/etc/systemd/system/berth-shop.service"], logs.Argv.Skip(4));
        Assert.Equal("", LogsCommand.Read(target, 100, follow: false).Argv[^2]);
    }

    [Fact]
    public void Hosts_are_chosen_by_their_name_in_hosts()
    {
        string yaml = "deploy:\n  hosts: [deploy@web1, \"deploy@web2:2222\", ops@web3]\n  repository: x\n";

        Assert.Equal(["deploy@web2:2222", "ops@web3"], DeployTarget.Select(Config(yaml), ["web2", "ops@web3"], out IReadOnlyList<string> unknown).Select(t => t.Host.Label));
        Assert.Empty(unknown);
        Assert.Equal(3, DeployTarget.Select(Config(yaml), [], out _).Count);
        DeployTarget.Select(Config(yaml), ["web4"], out unknown);
        Assert.Equal(["web4"], unknown);
    }

    [Fact]
    public async Task Without_a_deploy_section_it_says_what_to_add()
    {
        string file = _files.File("berth.yml", "apps:\n  shop: { module: shop.wsgi:application }\n");

        (int exit, string output, string error) = await RunAsync("releases", "--config", file);

        Assert.Equal(BerthCommand.ExitConfigError, exit);
        Assert.Empty(output);
        Assert.Contains("has no deploy: section", error, StringComparison.Ordinal);
        Assert.Contains("Fix: add one with hosts: and repository:", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logs_without_a_deploy_section_says_what_to_add_and_n_must_count_lines()
    {
        string file = _files.File("berth.yml", "apps:\n  shop: { module: shop.wsgi:application }\n");

        (int exit, _, string error) = await RunAsync("logs", "--config", file, "-f");
        Assert.Equal(BerthCommand.ExitConfigError, exit);
        Assert.Contains("has no deploy: section", error, StringComparison.Ordinal);

        (int badN, _, string nError) = await RunAsync("logs", "--config", file, "-n", "0");
        Assert.NotEqual(0, badN);
        Assert.Contains("-n/--lines must be 1 or more", nError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_host_is_named_with_the_ones_there_are()
    {
        string file = _files.File("berth.yml", "apps:\n  shop: { module: shop.wsgi:application }\ndeploy: { hosts: [deploy@web1], repository: x }\n");

        (int exit, _, string error) = await RunAsync("releases", "--config", file, "web9");

        Assert.Equal(BerthCommand.ExitConfigError, exit);
        Assert.Contains("web9 is not one of the hosts", error, StringComparison.Ordinal);
        Assert.Contains("deploy@web1", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_and_rollback_name_an_unknown_host_and_a_missing_deploy_section_before_reaching_any_host()
    {
        string file = _files.File("berth.yml", "apps:\n  shop: { module: shop.wsgi:application }\ndeploy: { hosts: [deploy@web1], repository: x }\n");
        string bare = _files.File("bare.yml", "apps:\n  shop: { module: shop.wsgi:application }\n");

        string[][] unknownHost = [["deploy", "--config", file, "web9"], ["rollback", "--config", file, "--host", "web9"]];
        foreach (string[] args in unknownHost)
        {
            (int exit, _, string error) = await RunAsync(args);

            Assert.Equal(BerthCommand.ExitConfigError, exit);
            Assert.Contains("web9 is not one of the hosts", error, StringComparison.Ordinal);
            Assert.Contains("deploy@web1", error, StringComparison.Ordinal);
        }

        (int noDeploy, _, string noDeployError) = await RunAsync("deploy", "--plan", "--config", bare);
        Assert.Equal(BerthCommand.ExitConfigError, noDeploy);
        Assert.Contains("has no deploy: section", noDeployError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_config_error_is_reported_with_its_line()
    {
        string file = _files.File("berth.yml", "apps:\n  shop: { module: shop.wsgi:application }\ndeploy: { hosts: [deploy@web1], repository: x, keep_releases: 0 }\n");

        (int exit, _, string error) = await RunAsync("releases", "--config", file);

        Assert.Equal(BerthCommand.ExitConfigError, exit);
        Assert.Contains("berth.yml:3: deploy.keep_releases:", error, StringComparison.Ordinal);
    }

    private IReadOnlyList<DeployTarget> Targets(string deploy) => DeployTarget.Select(Config(deploy), [], out _);

    private Berth.Config.BerthConfig Config(string deploy) => _files.Valid("apps:\n  shop: { module: shop.wsgi:application }\n" + deploy);

    private static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        RemoteConnector unreachable = (_, _) => throw new InvalidOperationException("no host is reached when berth.yml cannot say which");
        var root = new RootCommand
        {
            ReleasesCommand.Create(unreachable), LogsCommand.Create(unreachable, (_, _) => throw new InvalidOperationException("nothing to follow")),
            DeployCommand.Create(unreachable), DeployCommand.CreateRollback(unreachable),
        };
        int exit = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, CancellationToken.None);
        return (exit, output.ToString(), error.ToString());
    }

    public void Dispose() => _files.Dispose();
}
