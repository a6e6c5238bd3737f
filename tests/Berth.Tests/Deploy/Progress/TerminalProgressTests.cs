using Berth.Deploy;
using Berth.Deploy.Notify;
using Berth.Deploy.Progress;
using Berth.Tests.Cli;
using Berth.Tests.Deploy.Notify;
using System.Text.RegularExpressions;
using Spectre.Console;

namespace Berth.Tests.Deploy.Progress;

/// <summary>The deploy as the developer watches it: plain lines in CI, the recap at the end, and the live view.</summary>
public sealed class TerminalProgressTests : IDisposable
{
    private static readonly DeployHost Web1 = new("deploy", "web1", 22);
    private static readonly DeployHost Web2 = new("deploy", "web2", 2222);

    private readonly StringWriter _output = new();
    private readonly SteppedTime _time = new();

    [Fact]
    public void Without_a_terminal_each_event_is_a_plain_line_as_it_happens()
    {
        var progress = new TerminalProgress(Console(), _time);

        progress.StepStarted(Web1, "venv");
        progress.Output(Web1, "venv", "Collecting flask");
        progress.StepFinished(Web1, "venv", new StepResult(StepStatus.Changed, "requirements.txt changed", TimeSpan.FromSeconds(1.2)));

        Assert.Equal(
            ["deploy@web1  venv …", "    deploy@web1 | Collecting flask", "deploy@web1  venv  changed  requirements.txt changed  1.2s"],
            _output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd()));
    }

    [Fact]
    public void The_recap_shows_each_host_its_steps_and_who_serves_what_after_a_failure()
    {
        var progress = new TerminalProgress(Console(), _time);
        progress.StepFinished(Web1, "lock", new StepResult(StepStatus.Ok, "acquired", TimeSpan.FromMilliseconds(40)));
        progress.StepFinished(Web1, "packages", new StepResult(StepStatus.Skipped, "all present", TimeSpan.FromMilliseconds(300)));
        progress.StepFinished(Web2, "venv", new StepResult(StepStatus.Failed, "pip exited 1", TimeSpan.FromSeconds(30)));
        _output.GetStringBuilder().Clear();

        progress.Completed(DeploySummaryTests.Failed());

        string recap = _output.ToString();
        Assert.Contains("deploy@web1", recap, StringComparison.Ordinal);
        Assert.Contains("deploy@web2:2222", recap, StringComparison.Ordinal);
        Assert.Matches(@"lock\s+│ ok\s+│ acquired\s+│\s+40ms", recap);
        Assert.Matches(@"packages\s+│ skipped\s+│ all present", recap);
        Assert.Matches(@"venv\s+│ failed\s+│ pip exited 1\s+│\s+30\.0s", recap);
        Assert.Matches(@"deploy@web2\s+│ 20261122T080000-0123456\s+│ failed\s+│ venv: ERROR: No matching distribution found for flask==9", recap);
        Assert.Matches(@"deploy@web3\s+│ -\s+│ not started", recap);
        Assert.Contains("shop: deploy of 0123456 FAILED on deploy@web2 at venv.", recap, StringComparison.Ordinal);
        Assert.Contains("Now serving: deploy@web1: release 20261122T080000-0123456 is live; deploy@web2: failed at venv", recap, StringComparison.Ordinal);
    }

    [Fact]
    public void The_live_view_shows_the_running_step_its_elapsed_time_and_the_last_output_lines()
    {
        var progress = new TerminalProgress(Console(), _time);
        progress.StepStarted(Web1, "venv");
        for (int i = 1; i <= 6; i++)
        {
            progress.Output(Web1, "venv", $"line {i}");
        }

        _time.Advance(TimeSpan.FromSeconds(12.3));
        string view = StatusViewTests.RenderToString(progress.LiveView());
        Assert.Contains("deploy@web1  venv  12.3s", view, StringComparison.Ordinal);
        Assert.DoesNotContain("line 2", view, StringComparison.Ordinal);
        Assert.Contains("    line 3", view, StringComparison.Ordinal);
        Assert.Contains("    line 6", view, StringComparison.Ordinal);
    }

    [Fact]
    public async Task On_a_terminal_the_live_view_is_drawn_then_gives_way_to_the_recap()
    {
        IAnsiConsole terminal = Console(terminal: true);
        using var progress = new TerminalProgress(terminal, TimeProvider.System);

        progress.StepStarted(Web1, "venv");
        progress.Output(Web1, "venv", "Collecting flask");
        while (!_output.ToString().Contains("Collecting flask", StringComparison.Ordinal))
        {
            await Task.Delay(20);
        }

        progress.StepFinished(Web1, "venv", new StepResult(StepStatus.Changed, "built", TimeSpan.FromSeconds(3)));
        progress.Completed(DeploySummaryTests.Succeeded());

        string screen = _output.ToString();
        Assert.DoesNotContain("    deploy@web1 | Collecting flask", screen, StringComparison.Ordinal); // no plain lines on a terminal
        Assert.Contains("shop: deploy of main succeeded on 1 host in 4.2s.", screen, StringComparison.Ordinal);
        Assert.True(screen.LastIndexOf("Collecting flask", StringComparison.Ordinal) < screen.IndexOf("shop: deploy of main succeeded", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Hosts_reporting_at_once_each_get_every_step_in_the_recap()
    {
        var progress = new TerminalProgress(Console(), _time);
        DeployHost[] hosts = Enumerable.Range(1, 8).Select(i => new DeployHost("deploy", $"web{i}", 22)).ToArray();

        await Task.WhenAll(hosts.Select(host => Task.Run(() =>
        {
            for (int step = 1; step <= 20; step++)
            {
                progress.StepStarted(host, $"step{step}");
                progress.Output(host, $"step{step}", "working");
                progress.StepFinished(host, $"step{step}", new StepResult(StepStatus.Ok, $"done {host.Address}", TimeSpan.FromSeconds(1)));
            }
        })));
        _output.GetStringBuilder().Clear();
        progress.Completed(new DeployReport("shop", "deploy", "main", "alice", DeploySummaryTests.Start, TimeSpan.FromSeconds(20),
            hosts.Select(h => new HostOutcome(h.Label, "r1", HostStatus.Ok, null, null)).ToList()));

        string recap = _output.ToString();
        Assert.All(hosts, host => Assert.Equal(20, Regex.Count(recap, $@"│ ok\s+│ done {host.Address}\s")));
    }

    [Fact]
    public void A_failed_notification_is_a_warning_with_its_fix()
    {
        var progress = new TerminalProgress(Console(), _time);

        progress.Notified([
            new NotifyOutcome("slack", "https://hooks.slack.com", null),
            new NotifyOutcome("email", "ops@example.com", new NotifyException("could not connect to the mail server smtp.example.com:587: Connection refused", "check host: and port:")),
        ]);

        Assert.Equal(
            ["notified slack (https://hooks.slack.com)", "warning: could not notify email (ops@example.com): could not connect to the mail server smtp.example.com:587: Connection refused. Fix: check host: and port:"],
            _output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd()));
    }

    /// <summary>A console writing to <see cref="_output"/>: plain, as in CI, or an ANSI terminal.</summary>
    private IAnsiConsole Console(bool terminal = false)
    {
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(_output),
            Ansi = terminal ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Standard : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Yes : InteractionSupport.No,
        });
        console.Profile.Width = 200;
        return console;
    }

    public void Dispose() => _output.Dispose();

    /// <summary>A monotonic clock that moves only when told.</summary>
    private sealed class SteppedTime : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
