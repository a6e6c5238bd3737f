using System.Text.Json.Serialization;

namespace Berth.Deploy;

/// <summary>
/// One line of <c>{path}/.deploy/releases.jsonl</c> on a host: a release berth made there and how it ended. The
/// history is appended to, never rewritten, so a deploy killed mid-write costs at most its own line
/// (<see cref="ReleaseHistory.Parse"/> skips a torn one).
/// </summary>
/// <param name="Id">The release directory's name, <see cref="ReleaseId"/>: <c>20261204T160000-0123456</c>.</param>
/// <param name="Revision">The full commit id deployed.</param>
/// <param name="DeployedBy">Who ran berth: the local user name.</param>
/// <param name="From">The machine berth ran on.</param>
/// <param name="VenvHash">The virtualenv it runs with (<c>shared/venvs/&lt;hash&gt;</c>), when one was built.</param>
/// <param name="FailedStep">For a failed or rolled back release, the step that failed.</param>
/// <param name="Error">And why, in one line.</param>
public sealed record ReleaseRecord(
    string Id,
    string Revision,
    ReleaseStatus Status,
    string DeployedBy,
    string From,
    DateTimeOffset StartedAt,
    TimeSpan Duration,
    string? VenvHash,
    string? FailedStep,
    string? Error);

/// <summary>How a release ended; written as "ok", "failed" and "rolled_back".</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ReleaseStatus>))]
public enum ReleaseStatus
{
    /// <summary>It went live and passed its health check (it may have been replaced since).</summary>
    [JsonStringEnumMemberName("ok")]
    Ok,

    /// <summary>A step before the switch failed; it never served.</summary>
    [JsonStringEnumMemberName("failed")]
    Failed,

    /// <summary>It went live, failed its health check, and the previous release was switched back.</summary>
    [JsonStringEnumMemberName("rolled_back")]
    RolledBack,
}
