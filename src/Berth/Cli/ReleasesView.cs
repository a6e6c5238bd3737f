using System.Globalization;
using System.Text;
using Berth.Deploy;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Berth.Cli;

/// <summary>
/// What <c>berth releases</c> shows for one host: its history newest first, the live release marked with *, and
/// per release its status, commit, who deployed it from where, when, how long it took, and why it failed. A
/// table on a terminal; aligned plain text otherwise, for grep and CI logs.
/// </summary>
internal static class ReleasesView
{
    private static readonly string[] Columns = ["", "RELEASE", "STATUS", "REVISION", "WHO", "FROM", "WHEN", "TOOK", "ERROR"];

    /// <summary>One host's history as rows, newest first; pure, so tests read it.</summary>
    /// <param name="history">The host's releases.jsonl, oldest first, as <see cref="ReleaseHistory.Parse"/> returns it.</param>
    /// <param name="liveId">Where <c>current</c> points, or null when nothing is live.</param>
    public static IReadOnlyList<string[]> Rows(IReadOnlyList<ReleaseRecord> history, string? liveId, DateTimeOffset now)
    {
        var rows = new List<string[]>();
        bool marked = false;
        foreach (ReleaseRecord record in history.Reverse())
        {
            // A rollback appends a release's record again: the newest record of the live id is the one to mark.
            bool live = !marked && record.Id == liveId;
            marked |= live;
            rows.Add(
            [
                live ? "*" : "",
                record.Id,
                Status(record.Status),
                ReleaseId.ShortRevision(record.Revision),
                record.DeployedBy,
                record.From,
                When(record.StartedAt, now),
                StatusView.Duration(record.Duration),
                record.Error is { } error ? (record.FailedStep is { } step ? $"{step}: {RemoteResult.LastLine(error)}" : RemoteResult.LastLine(error)) : "",
            ]);
        }

        return rows;
    }

    public static IRenderable Render(string host, string path, IReadOnlyList<ReleaseRecord> history, string? liveId, DateTimeOffset now)
    {
        var parts = new List<IRenderable> { new Text($"{host}  {path}", new Style(decoration: Decoration.Bold)) };
        IReadOnlyList<string[]> rows = Rows(history, liveId, now);
        if (rows.Count > 0)
        {
            var table = new Table().Border(TableBorder.Rounded);
            foreach (string column in Columns)
            {
                table.AddColumn(new TableColumn(column.Length == 0 ? " " : column.ToLowerInvariant()));
            }

            foreach (string[] row in rows)
            {
                // Text, never markup: an error message may hold [brackets].
                table.AddRow(row.Select((cell, i) => (IRenderable)new Text(cell, i == 2 ? StatusStyle(cell) : Style.Plain)).ToArray());
            }

            parts.Add(table);
        }

        parts.AddRange(Footer(rows, liveId).Select(line => new Text(line, new Style(Color.Grey))));
        return new Rows(parts);
    }

    public static string RenderPlain(string host, string path, IReadOnlyList<ReleaseRecord> history, string? liveId, DateTimeOffset now)
    {
        var text = new StringBuilder().Append(host).Append("  ").Append(path).Append('\n');
        IReadOnlyList<string[]> rows = Rows(history, liveId, now);
        if (rows.Count > 0)
        {
            string[][] lines = [Columns, .. rows];
            int[] widths = Enumerable.Range(0, Columns.Length).Select(i => lines.Max(l => l[i].Length)).ToArray();
            foreach (string[] line in lines)
            {
                text.Append(string.Join("  ", line.Select((cell, i) => i == line.Length - 1 ? cell : cell.PadRight(widths[i]))).TrimEnd()).Append('\n');
            }
        }

        foreach (string line in Footer(rows, liveId))
        {
            text.Append(line).Append('\n');
        }

        return text.ToString();
    }

    private static IEnumerable<string> Footer(IReadOnlyList<string[]> rows, string? liveId)
    {
        if (rows.Count == 0)
        {
            yield return liveId is null ? "no releases yet: `berth deploy` makes the first" : $"no history on this host; live: {liveId}";
        }
        else if (liveId is null)
        {
            yield return "nothing is live: `current` points at no release";
        }
        else if (!rows.Any(r => r[0] == "*"))
        {
            yield return $"live: {liveId}, which the history does not list";
        }
    }

    private static string Status(ReleaseStatus status) => status switch
    {
        ReleaseStatus.Ok => "ok",
        ReleaseStatus.Failed => "failed",
        ReleaseStatus.RolledBack => "rolled_back",
        _ => status.ToString(),
    };

    private static Style StatusStyle(string status) => status switch
    {
        "ok" => new Style(Color.Green),
        "failed" => new Style(Color.Red),
        _ => new Style(Color.Yellow),
    };

    /// <summary>The time in UTC, and how long ago: the first says which deploy, the second whether it is the one just made.</summary>
    private static string When(DateTimeOffset started, DateTimeOffset now)
    {
        string at = started.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        TimeSpan ago = now - started;
        return ago < TimeSpan.FromSeconds(1) ? $"{at} (just now)" : $"{at} ({StatusView.Duration(ago)} ago)";
    }
}
