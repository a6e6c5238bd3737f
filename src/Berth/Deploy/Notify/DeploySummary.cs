using System.Globalization;
using System.Text;

namespace Berth.Deploy.Notify;

/// <summary>
/// A deploy report told in words, the same for every channel: a headline (the mail's subject) and one
/// readable paragraph — app, revision, who, how long, and per host its release and status, with the failed
/// step and its error — that a phone's lock screen or a Slack channel shows whole.
/// </summary>
public static class DeploySummary
{
    public static string Headline(DeployReport report)
    {
        string what = $"{report.App}: {report.Action} of {ReleaseId.ShortRevision(report.Revision)}";
        if (report.Succeeded)
        {
            return $"{what} succeeded on {Count(report.Hosts.Count, "host")}";
        }

        HostOutcome? failed = report.Hosts.FirstOrDefault(h => h.Status is HostStatus.Failed or HostStatus.RolledBack);
        return failed is null ? $"{what} FAILED" : $"{what} FAILED on {failed.Host}" + (failed.FailedStep is { } step ? $" at {step}" : "");
    }

    public static string Paragraph(DeployReport report)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{Headline(report)}. Run by {report.DeployedBy}, started {report.StartedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC, took {Duration(report.Duration)}.");
        foreach (HostOutcome host in report.Hosts)
        {
            text.Append(' ').Append(Describe(host)).Append('.');
        }

        return text.ToString();
    }

    /// <summary>"web1: release 20261122T0800-abc1234 is live" or "web2: failed at venv (pip exited 1); the previous release keeps serving".</summary>
    public static string Describe(HostOutcome host)
    {
        string release = host.Release is { } r ? $"release {r}" : "the new release";
        string failure = host.FailedStep is { } step ? $" at {step}" + (host.Error is { } error ? $" ({ErrorLine(error)})" : "") : "";
        return host.Status switch
        {
            HostStatus.Ok => $"{host.Host}: {release} is live",
            HostStatus.Failed => $"{host.Host}: failed{failure}; the previous release keeps serving",
            HostStatus.RolledBack => $"{host.Host}: {release} failed{failure} and was switched back to the previous release",
            HostStatus.NotStarted => $"{host.Host}: not started; the previous release keeps serving",
            _ => $"{host.Host}: {host.Status}",
        };
    }

    /// <summary>"850ms", "4.2s", "1m 12s": the precision a person reads a deploy's time at.</summary>
    public static string Duration(TimeSpan elapsed) => elapsed.TotalSeconds switch
    {
        < 1 => $"{elapsed.TotalMilliseconds:0}ms",
        < 60 => string.Create(CultureInfo.InvariantCulture, $"{elapsed.TotalSeconds:0.0}s"),
        _ => $"{(int)elapsed.TotalMinutes}m {elapsed.Seconds}s",
    };

    private static string Count(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";

    /// <summary>The line of a remote error worth showing (its last), cut short for a lock screen or a table cell.</summary>
    public static string ErrorLine(string error)
    {
        string last = RemoteResult.LastLine(error);
        return last.Length > 200 ? last[..200] + "…" : last;
    }
}
