using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Berth.Deploy;

/// <summary>
/// <c>{path}/.deploy/releases.jsonl</c>: one <see cref="ReleaseRecord"/> a line, appended when a deploy or rollback
/// ends. One JSON object a line (JSON Lines) so that appending is one write, and a reader of a file that an
/// interrupted run left with half a line loses that line only.
/// </summary>
public static class ReleaseHistory
{
    /// <summary>The record as one line of JSON, without the newline: snake_case names, status as "ok", "failed" or
    /// "rolled_back", duration in seconds.</summary>
    public static string ToJsonLine(ReleaseRecord record) => JsonSerializer.Serialize(record, ReleaseJsonContext.Default.ReleaseRecord);

    /// <summary>The records of a history file, oldest first. A line that is not a whole record — torn by a killed
    /// run, or written by a berth that knows other statuses — is skipped; fields this berth does not know are ignored.</summary>
    public static IReadOnlyList<ReleaseRecord> Parse(string jsonl)
    {
        var records = new List<ReleaseRecord>();
        foreach (string line in jsonl.Split('\n'))
        {
            if (line.Trim() is not { Length: > 0 } text)
            {
                continue;
            }

            try
            {
                if (JsonSerializer.Deserialize(text, ReleaseJsonContext.Default.ReleaseRecord) is { Id.Length: > 0, Revision.Length: > 0 } record
                    && record.DeployedBy is not null && record.From is not null)
                {
                    records.Add(record);
                }
            }
            catch (JsonException)
            {
                // torn or foreign: the rest of the history still counts
            }
        }

        return records;
    }

    /// <summary>
    /// The release directories cleanup removes, oldest first. The newest <paramref name="keep"/> good (<c>ok</c>)
    /// releases stay, and the live one always does. Failed and rolled back releases (and directories no record
    /// names: a run killed before it wrote one) do not count toward <paramref name="keep"/>: they stay while they
    /// are newer than the oldest kept good release, so a recent failure can be read, and go once they are older.
    /// Names that are not release ids are not berth's, and are never listed.
    /// </summary>
    /// <param name="releaseDirsOnHost">The names under <c>{path}/releases/</c>.</param>
    /// <param name="history">The host's records (<see cref="Parse"/>); a later record of an id wins.</param>
    /// <param name="currentId">The release <c>current</c> points at, if any.</param>
    /// <param name="keep">keep_releases:, at least 1.</param>
    public static IReadOnlyList<string> ToRemove(IReadOnlyList<string> releaseDirsOnHost, IReadOnlyList<ReleaseRecord> history, string? currentId, int keep)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(keep, 1);
        var status = new Dictionary<string, ReleaseStatus>(StringComparer.Ordinal);
        foreach (ReleaseRecord record in history)
        {
            status[record.Id] = record.Status;
        }

        // Ids sort by time as text (ReleaseId), newest first here.
        string[] releases = releaseDirsOnHost.Where(name => ReleaseId.StartedAt(name) is not null).Distinct(StringComparer.Ordinal)
            .OrderDescending(StringComparer.Ordinal).ToArray();
        string[] keptGood = releases.Where(id => status.TryGetValue(id, out ReleaseStatus s) && s == ReleaseStatus.Ok).Take(keep).ToArray();
        string? oldestKept = keptGood.LastOrDefault();

        return releases
            .Where(id => id != currentId && !keptGood.Contains(id, StringComparer.Ordinal))
            .Where(id => (status.TryGetValue(id, out ReleaseStatus s) && s == ReleaseStatus.Ok)
                || (oldestKept is not null && string.CompareOrdinal(id, oldestKept) < 0))
            .Reverse()
            .ToArray();
    }
}

/// <summary>The history's JSON, source-generated (no reflection).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, Converters = [typeof(SecondsConverter)])]
[JsonSerializable(typeof(ReleaseRecord))]
internal sealed partial class ReleaseJsonContext : JsonSerializerContext;

/// <summary>A duration as seconds with millisecond precision (<c>"duration": 83.456</c>): what jq and a person read
/// best, where TimeSpan's own form would be "00:01:23.4560000".</summary>
internal sealed class SecondsConverter : JsonConverter<TimeSpan>
{
    public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Number ? TimeSpan.FromMilliseconds(Math.Round(reader.GetDouble() * 1000))
        : TimeSpan.TryParse(reader.GetString(), CultureInfo.InvariantCulture, out TimeSpan value) ? value
        : throw new JsonException("a duration is a number of seconds");

    public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options) =>
        writer.WriteNumberValue(Math.Round(value.TotalSeconds, 3));
}
