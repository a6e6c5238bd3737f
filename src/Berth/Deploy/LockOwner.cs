using System.Globalization;

namespace Berth.Deploy;

/// <summary>
/// Who holds a host's deploy lock: written into <c>.deploy/lock/owner</c> when the lock is taken, so the
/// next person sees who is deploying, from which machine and since when, instead of a bare "locked".
/// </summary>
public sealed record LockOwner(string Who, string From, DateTimeOffset Since, int Pid)
{
    public static LockOwner Here(TimeProvider time) =>
        new(Environment.UserName, Environment.MachineName, time.GetUtcNow(), Environment.ProcessId);

    /// <summary>The owner file: one <c>key=value</c> a line.</summary>
    public string ToFileText() =>
        $"who={Who}\nfrom={From}\nsince={Since.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}\npid={Pid}\n";

    /// <summary>"alice on laptop since 2026-12-04 16:00:00 UTC (pid 4242)", from the owner file with its newlines
    /// turned into spaces (the facts script does that); the raw text when it is not an owner file.</summary>
    public static string Describe(string? ownerText)
    {
        if (string.IsNullOrWhiteSpace(ownerText))
        {
            return "an unknown owner (the lock has no owner file: a run was killed while taking it)";
        }

        var fields = ownerText.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries)
            .Select(f => f.Split('=', 2)).Where(f => f.Length == 2)
            .ToDictionary(f => f[0], f => f[1], StringComparer.Ordinal);
        if (!fields.TryGetValue("who", out string? who))
        {
            return ownerText.Trim();
        }

        string since = fields.TryGetValue("since", out string? s) && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset at)
            ? at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC"
            : "an unknown time";
        string from = fields.GetValueOrDefault("from", "an unknown machine");
        string pid = fields.TryGetValue("pid", out string? p) ? $" (pid {p})" : "";
        return $"{who} on {from} since {since}{pid}";
    }
}
