using System.Globalization;

namespace Berth.Deploy;

/// <summary>
/// A release's name: the UTC time it was started, to the second, and the commit's first seven hex digits,
/// <c>20261204T160000-0123456</c> (DESIGN.md, "On-disk layout"). Names sort by time as text, so <c>ls releases/</c>
/// lists them in order, and the commit is readable at a glance.
/// </summary>
public static class ReleaseId
{
    public const int ShortRevisionLength = 7;

    public static string New(DateTimeOffset utcNow, string revision)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(revision);
        string time = utcNow.UtcDateTime.ToString("yyyyMMdd'T'HHmmss", CultureInfo.InvariantCulture);
        return $"{time}-{ShortRevision(revision)}";
    }

    /// <summary>A commit id as git's short form shows it, its first seven hex digits; anything else (a branch, a tag,
    /// the release a rollback went back to) as written.</summary>
    public static string ShortRevision(string revision) =>
        revision.Length > ShortRevisionLength && revision.All(char.IsAsciiHexDigit) ? revision[..ShortRevisionLength].ToLowerInvariant() : revision;

    /// <summary>When a release of this name was started, if it is one.</summary>
    public static DateTimeOffset? StartedAt(string id) =>
        id.Length > 15 && DateTime.TryParseExact(id.AsSpan(0, 15), "yyyyMMdd'T'HHmmss", CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime time)
            ? new DateTimeOffset(time, TimeSpan.Zero)
            : null;
}
