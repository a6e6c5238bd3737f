using Berth.Deploy.Notify;
using Spectre.Console;

namespace Berth.Deploy.Progress;

public sealed partial class TerminalProgress
{
    /// <summary>Per host a table of its steps (status, reason, time), then one summary row per host (release,
    /// status), and after a failure the line a person needs first: which host now serves which release.</summary>
    private void DrawRecap(DeployReport report)
    {
        foreach (HostState host in _hosts)
        {
            var steps = new Table().Border(TableBorder.Rounded).Title($"[bold]{Markup.Escape(host.Label)}[/]")
                .AddColumn("Step").AddColumn("Status").AddColumn("Reason").AddColumn(new TableColumn("Time").RightAligned());
            foreach ((string step, StepResult result) in host.Done)
            {
                steps.AddRow(
                    Markup.Escape(step),
                    $"[{Colour(result.Status)}]{Name(result.Status)}[/]",
                    Markup.Escape(result.Reason),
                    DeploySummary.Duration(result.Elapsed));
            }

            _console.Write(steps);
        }

        var summary = new Table().Border(TableBorder.Rounded).Title($"[bold]{Markup.Escape(report.App)} {Markup.Escape(report.Action)} {Markup.Escape(ReleaseId.ShortRevision(report.Revision))}[/]")
            .AddColumn("Host").AddColumn("Release").AddColumn("Status").AddColumn("Failed step");
        foreach (HostOutcome host in report.Hosts)
        {
            summary.AddRow(
                Markup.Escape(host.Host),
                Markup.Escape(host.Release ?? "-"),
                host.Status == HostStatus.Ok ? "[green]ok[/]" : $"[red]{Status(host.Status)}[/]",
                Markup.Escape(host.FailedStep is { } step ? host.Error is { } error ? $"{step}: {DeploySummary.ErrorLine(error)}" : step : ""));
        }

        _console.Write(summary);
        if (report.Succeeded)
        {
            _console.MarkupLineInterpolated($"[green]{DeploySummary.Headline(report)} in {DeploySummary.Duration(report.Duration)}.[/]");
        }
        else
        {
            _console.MarkupLineInterpolated($"[red]{DeploySummary.Headline(report)}.[/]");
            _console.MarkupLineInterpolated($"Now serving: {string.Join("; ", report.Hosts.Select(DeploySummary.Describe))}.");
        }
    }

    /// <summary>"rolled back", "not started": the enum's name as words.</summary>
    private static string Status(HostStatus status) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(status.ToString()).Replace('_', ' ');
}
