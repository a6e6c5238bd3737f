using Berth.Deploy;

namespace Berth.Tests.Deploy;

/// <summary>releases.jsonl as `berth releases` and cleanup read it, and what cleanup removes.</summary>
public sealed class ReleaseHistoryTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 4, 16, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_record_is_one_line_of_snake_case_json_and_reads_back_the_same()
    {
        ReleaseRecord record = new("20261204T160000-0123456", "0123456789abcdef0123456789abcdef01234567", ReleaseStatus.RolledBack, "alice", "laptop",
            Start, TimeSpan.FromSeconds(83.456), "3f2a", "health check", "GET /healthz answered 500");

        string line = ReleaseHistory.ToJsonLine(record);

        Assert.DoesNotContain('\n', line);
        Assert.Equal(
            """{"id":"20261204T160000-0123456","revision":"0123456789abcdef0123456789abcdef01234567","status":"rolled_back","deployed_by":"alice","from":"laptop","started_at":"2026-12-04T16:00:00+00:00","duration":83.456,"venv_hash":"3f2a","failed_step":"health check","error":"GET /healthz answered 500"}""",
            line);
        Assert.Equal(record, Assert.Single(ReleaseHistory.Parse(line + "\n")));
    }

    [Theory]
    [InlineData(ReleaseStatus.Ok, "ok")]
    [InlineData(ReleaseStatus.Failed, "failed")]
    [InlineData(ReleaseStatus.RolledBack, "rolled_back")]
    public void Statuses_are_written_as_words(ReleaseStatus status, string word)
    {
        Assert.Contains($"\"status\":\"{word}\"", ReleaseHistory.ToJsonLine(Record("20261204T160000-0123456", status)), StringComparison.Ordinal);
    }

    [Fact]
    public void A_torn_last_line_and_lines_from_elsewhere_are_skipped()
    {
        string first = ReleaseHistory.ToJsonLine(Record("20261201T100000-aaaaaaa", ReleaseStatus.Ok));
        string second = ReleaseHistory.ToJsonLine(Record("20261202T100000-bbbbbbb", ReleaseStatus.Failed));
        string jsonl = string.Join('\n',
            first,
            "",
            "not json at all",
            """{"id":"20261203T100000-ccccccc","revision":"c","status":"exploded","deployed_by":"a","from":"b","started_at":"2026-12-03T10:00:00+00:00","duration":1}""",
            """{"id":"","revision":"c","status":"ok","deployed_by":"a","from":"b","started_at":"2026-12-03T10:00:00+00:00","duration":1}""",
            second,
            second[..(second.Length / 2)]);

        Assert.Equal(["20261201T100000-aaaaaaa", "20261202T100000-bbbbbbb"], ReleaseHistory.Parse(jsonl).Select(r => r.Id));
    }

    [Fact]
    public void Fields_a_later_berth_adds_are_ignored()
    {
        string line = """{"id":"20261204T160000-0123456","revision":"0123456","status":"ok","deployed_by":"alice","from":"laptop","started_at":"2026-12-04T16:00:00Z","duration":"00:00:04","region":"eu","steps":[{"name":"venv"}]}""";

        ReleaseRecord record = Assert.Single(ReleaseHistory.Parse(line));

        Assert.Equal(("alice", ReleaseStatus.Ok, TimeSpan.FromSeconds(4), null), (record.DeployedBy, record.Status, record.Duration, record.VenvHash));
    }

    [Fact]
    public void Cleanup_keeps_the_newest_good_releases_and_the_live_one()
    {
        string[] dirs = ["20261201T100000-aaaaaaa", "20261202T100000-bbbbbbb", "20261203T100000-ccccccc", "20261204T100000-ddddddd"];
        ReleaseRecord[] history = [.. dirs.Select(d => Record(d, ReleaseStatus.Ok))];

        Assert.Equal(["20261201T100000-aaaaaaa", "20261202T100000-bbbbbbb"], ReleaseHistory.ToRemove(dirs, history, "20261204T100000-ddddddd", keep: 2));
        // Rolled back to the oldest: it stays, on top of the two newest.
        Assert.Equal(["20261202T100000-bbbbbbb"], ReleaseHistory.ToRemove(dirs, history, "20261201T100000-aaaaaaa", keep: 2));
        Assert.Empty(ReleaseHistory.ToRemove(dirs, history, "20261204T100000-ddddddd", keep: 5));
    }

    [Fact]
    public void Failed_releases_do_not_count_and_go_only_once_older_than_the_kept_good_ones()
    {
        string[] dirs =
        [
            "20261201T100000-aaaaaaa", // ok, beyond keep
            "20261201T120000-fffffff", // failed, older than the oldest kept good one
            "20261202T100000-bbbbbbb", // ok, kept
            "20261202T120000-eeeeeee", // rolled back, between kept ones: stays to be read
            "20261203T100000-ccccccc", // ok, live
            "20261203T120000-9999999", // failed, newest: stays
            "20261203T130000-8888888", // no record (a run killed before writing one): as a failed one
            "tmp-upload",              // not a release: not berth's to remove
        ];
        ReleaseRecord[] history =
        [
            Record("20261201T100000-aaaaaaa", ReleaseStatus.Ok),
            Record("20261201T120000-fffffff", ReleaseStatus.Failed),
            Record("20261202T100000-bbbbbbb", ReleaseStatus.Ok),
            Record("20261202T120000-eeeeeee", ReleaseStatus.RolledBack),
            Record("20261203T100000-ccccccc", ReleaseStatus.Ok),
            Record("20261203T120000-9999999", ReleaseStatus.Failed),
        ];

        Assert.Equal(["20261201T100000-aaaaaaa", "20261201T120000-fffffff"], ReleaseHistory.ToRemove(dirs, history, "20261203T100000-ccccccc", keep: 2));
    }

    [Fact]
    public void The_live_release_is_never_removed_whatever_its_record_says()
    {
        string[] dirs = ["20261201T100000-aaaaaaa", "20261202T100000-bbbbbbb", "20261203T100000-ccccccc"];
        ReleaseRecord[] history = [Record(dirs[0], ReleaseStatus.Failed), Record(dirs[1], ReleaseStatus.Ok), Record(dirs[2], ReleaseStatus.Ok)];

        // Rolled back by hand to a release whose deploy had failed: it is live, so it stays; the good one beyond keep goes.
        Assert.Equal([dirs[1]], ReleaseHistory.ToRemove(dirs, history, dirs[0], keep: 1));
    }

    [Fact]
    public void A_later_record_of_a_release_wins()
    {
        // A rollback to a release appends its record again; deployed ok, later rolled back.
        string[] dirs = ["20261201T100000-aaaaaaa", "20261202T100000-bbbbbbb", "20261203T100000-ccccccc"];
        ReleaseRecord[] history = [Record(dirs[0], ReleaseStatus.Ok), Record(dirs[1], ReleaseStatus.Ok), Record(dirs[2], ReleaseStatus.Ok), Record(dirs[2], ReleaseStatus.RolledBack)];

        Assert.Equal([dirs[0]], ReleaseHistory.ToRemove(dirs, history, dirs[1], keep: 1));
    }

    [Fact]
    public void Ids_are_utc_time_and_short_revision()
    {
        DateTimeOffset local = new(2026, 12, 4, 17, 0, 0, TimeSpan.FromHours(1));

        Assert.Equal("20261204T160000-0123456", ReleaseId.New(local, "0123456789ABCDEF0123456789abcdef01234567"));
        Assert.Equal(new DateTimeOffset(2026, 12, 4, 16, 0, 0, TimeSpan.Zero), ReleaseId.StartedAt("20261204T160000-0123456"));
        Assert.Null(ReleaseId.StartedAt("current"));
    }

    internal static ReleaseRecord Record(string id, ReleaseStatus status) =>
        new(id, id[^7..] + "89abcdef0123456789abcdef0123456789", status, "alice", "laptop", Start, TimeSpan.FromSeconds(30), null,
            status == ReleaseStatus.Ok ? null : "venv", status == ReleaseStatus.Ok ? null : "pip failed");
}
