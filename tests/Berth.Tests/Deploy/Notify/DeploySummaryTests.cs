using Berth.Config;
using Berth.Deploy;
using Berth.Deploy.Notify;

namespace Berth.Tests.Deploy.Notify;

/// <summary>What Slack, mail and SMS say: one paragraph a person reads on a lock screen.</summary>
public sealed class DeploySummaryTests
{
    internal static readonly DateTimeOffset Start = new(2026, 11, 22, 8, 0, 0, TimeSpan.Zero);

    internal static DeployReport Failed() => new("shop", "deploy", "0123456789abcdef0123456789abcdef01234567", "alice", Start, TimeSpan.FromSeconds(72),
    [
        new HostOutcome("deploy@web1", "20261122T080000-0123456", HostStatus.Ok, null, null),
        new HostOutcome("deploy@web2", "20261122T080000-0123456", HostStatus.Failed, "venv", "Collecting flask\nERROR: No matching distribution found for flask==9"),
        new HostOutcome("deploy@web3", null, HostStatus.NotStarted, null, null),
    ]);

    internal static DeployReport Succeeded() => new("shop", "deploy", "main", "alice", Start, TimeSpan.FromSeconds(4.2),
        [new HostOutcome("deploy@web1", "20261122T080000-0123456", HostStatus.Ok, null, null)]);

    [Fact]
    public void A_success_names_app_revision_who_duration_and_release()
    {
        Assert.Equal(
            "shop: deploy of main succeeded on 1 host. Run by alice, started 2026-11-22 08:00 UTC, took 4.2s. deploy@web1: release 20261122T080000-0123456 is live.",
            DeploySummary.Paragraph(Succeeded()));
    }

    [Fact]
    public void A_failure_names_the_failed_step_its_error_and_what_each_host_serves()
    {
        string text = DeploySummary.Paragraph(Failed());

        Assert.StartsWith("shop: deploy of 0123456 FAILED on deploy@web2 at venv. Run by alice", text, StringComparison.Ordinal);
        Assert.Contains("took 1m 12s", text, StringComparison.Ordinal);
        Assert.Contains("deploy@web2: failed at venv (ERROR: No matching distribution found for flask==9); the previous release keeps serving", text, StringComparison.Ordinal);
        Assert.Contains("deploy@web3: not started", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_describes_who_would_be_told_without_sending()
    {
        var notify = new NotifySettings
        {
            EnvFile = "/nonexistent/.env.deploy",
            Slack = new SlackSettings(new EnvText("${SLACK}", default, "url")),
            Email = new EmailSettings("smtp.example.com", "deploy@example.com", ["a@b.example", "c@d.example"]),
            Sms = new SmsSettings(new EnvText("${SID}", default, "sid"), new EnvText("${T}", default, "t"), "+15005550006", ["+15551234567"]) { On = NotifyOn.Failure },
        };

        Assert.Equal("would notify slack, email to a@b.example, c@d.example, sms to +15551234567 (on failure)", DeployNotifier.Describe(notify));
        Assert.Equal("would notify nobody (no deploy.notify: channels)", DeployNotifier.Describe(null));
    }
}
