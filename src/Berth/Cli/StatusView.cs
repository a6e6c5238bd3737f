using System.Globalization;
using Berth.Control;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Berth.Cli;

/// <summary>
/// The table of <c>berth status</c> and <c>berth top</c>: per app its state and queue, one row per worker,
/// then the last exits with their cause — the question after "why did that request fail" is "which worker
/// died, and why".
/// </summary>
internal static class StatusView
{
    /// <summary>Pure: the same status and clock give the same picture, so tests render it to a string.</summary>
    public static IRenderable Render(ServerStatus status, DateTimeOffset now)
    {
        var parts = new List<IRenderable>
        {
            new Text($"berth {status.Version} · pid {status.Pid} · up {Duration(now - status.StartedAt)} · {status.Apps.Count} app(s)", new Style(decoration: Decoration.Bold)),
        };
        if (status.Apps.Count == 0)
        {
            parts.Add(new Text("no apps configured", new Style(Color.Grey)));
        }

        foreach (AppStatus app in status.Apps)
        {
            parts.Add(Text.Empty);
            parts.AddRange(RenderApp(app, now));
        }

        // A refused file serves nothing, so no app row shows it: without these lines its errors would be in the log only.
        foreach (IgnoredAppFile file in status.IgnoredAppFiles ?? [])
        {
            parts.Add(Text.Empty);
            parts.Add(new Text($"{file.File}: ignored until it changes", new Style(Color.Red, decoration: Decoration.Bold)));
            parts.AddRange(file.Errors.Select(e => new Text("  " + e, new Style(Color.Red))));
        }

        return new Rows(parts);
    }

    private static IEnumerable<IRenderable> RenderApp(AppStatus app, DateTimeOffset now)
    {
        // User data (app names, tracebacks, URLs) goes into Text, never Markup: a "[" in a traceback is not a style.
        yield return new Paragraph()
            .Append(app.Name, new Style(decoration: Decoration.Bold))
            .Append($" ({app.Module})  ")
            .Append(app.State, StateStyle(app.State))
            .Append($" · {app.Workers.Count} of {app.DesiredWorkers} workers · {app.Waiting} waiting in queue");

        if (app.FailedReason is { } reason)
        {
            yield return new Text("failed: " + reason.TrimEnd(), new Style(Color.Red));
        }

        var workers = new Table().Border(TableBorder.Rounded);
        workers.AddColumn("Worker");
        workers.AddColumn(new TableColumn("PID").RightAligned());
        workers.AddColumn("State");
        workers.AddColumn(new TableColumn("In flight").RightAligned());
        workers.AddColumn(new TableColumn("Served").RightAligned());
        workers.AddColumn(new TableColumn("RSS").RightAligned());
        workers.AddColumn(new TableColumn("Age").RightAligned());
        foreach (WorkerStatus w in app.Workers)
        {
            workers.AddRow(
                new Text(w.Id.ToString(CultureInfo.InvariantCulture)),
                new Text(w.Pid.ToString(CultureInfo.InvariantCulture)),
                new Text(w.State, StateStyle(w.State)),
                new Text($"{w.InFlight}/{w.Capacity}", w.InFlight >= w.Capacity ? new Style(Color.Yellow) : Style.Plain),
                new Text(w.RequestsServed.ToString("N0", CultureInfo.InvariantCulture)),
                new Text(Mebibytes(w.RssBytes)),
                new Text(Duration(TimeSpan.FromSeconds(w.AgeSeconds))));
        }

        yield return app.Workers.Count > 0 ? workers : new Text("no workers running", new Style(Color.Grey));

        if (app.RecentExits.Count == 0)
        {
            yield break;
        }

        yield return new Text("last exits", new Style(decoration: Decoration.Bold));
        var exits = new Table().Border(TableBorder.Minimal);
        exits.AddColumn("Worker");
        exits.AddColumn(new TableColumn("PID").RightAligned());
        exits.AddColumn("Cause");
        exits.AddColumn("Exit");
        exits.AddColumn(new TableColumn("Served").RightAligned());
        exits.AddColumn(new TableColumn("RSS").RightAligned());
        exits.AddColumn("Last request");
        exits.AddColumn(new TableColumn("When").RightAligned());
        foreach (DeathRecord d in app.RecentExits.OrderByDescending(d => d.At))
        {
            exits.AddRow(
                new Text(d.WorkerId.ToString(CultureInfo.InvariantCulture)),
                new Text(d.Pid.ToString(CultureInfo.InvariantCulture)),
                new Text(d.Cause, CauseStyle(d.Cause)),
                new Text(d.Exit),
                new Text(d.RequestsServed.ToString("N0", CultureInfo.InvariantCulture)),
                new Text(Mebibytes(d.RssBytes)),
                new Text(d.LastRequest ?? "-"),
                new Text(Ago(now - d.At)));
        }

        yield return exits;
    }

    private static Style StateStyle(string state) => state switch
    {
        "ready" or "running" => new Style(Color.Green),
        "failed" => new Style(Color.Red, decoration: Decoration.Bold),
        "draining" or "stopping" => new Style(Color.Grey),
        _ => new Style(Color.Yellow),
    };

    // Planned exits are grey; the ones a person should look into are red.
    private static Style CauseStyle(string cause) => cause switch
    {
        "max-requests" or "lifetime" or "reload" or "scale-down" or "shutdown" => new Style(Color.Grey),
        _ => new Style(Color.Red),
    };

    /// <summary>Binary megabytes, as <c>top</c> and <c>htop</c> count them, so the numbers can be compared.</summary>
    internal static string Mebibytes(long bytes) =>
        bytes <= 0 ? "-" : (bytes / (1024.0 * 1024.0)).ToString("0.0", CultureInfo.InvariantCulture) + " MiB";

    /// <summary>Two units at most, like <c>ps -o etime</c> reads at a glance: 42s, 12m 5s, 3h 12m, 2d 4h.</summary>
    internal static string Duration(TimeSpan span)
    {
        if (span < TimeSpan.Zero)
        {
            span = TimeSpan.Zero;
        }

        return span.TotalSeconds < 60 ? $"{(int)span.TotalSeconds}s"
            : span.TotalMinutes < 60 ? $"{span.Minutes}m {span.Seconds}s"
            : span.TotalHours < 24 ? $"{span.Hours}h {span.Minutes}m"
            : $"{(int)span.TotalDays}d {span.Hours}h";
    }

    private static string Ago(TimeSpan span) => span < TimeSpan.FromSeconds(1) ? "just now" : Duration(span) + " ago";
}
