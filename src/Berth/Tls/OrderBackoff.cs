namespace Berth.Tls;

/// <summary>
/// How long a site waits after a failed order: 1 minute, then doubling up to 6 hours (a typo in DNS is fixed in
/// minutes; an outage of the CA lasts hours, and Let's Encrypt's failed-validation limit is 5 an hour). A
/// Retry-After from the server (a 429 rateLimited, RFC 8555 6.6) wins when it asks for longer, up to a day:
/// retrying sooner only spends the limit again.
/// </summary>
public readonly record struct OrderBackoff(TimeSpan Current)
{
    public static readonly TimeSpan First = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan Last = TimeSpan.FromHours(6);

    // A server asking for a week is honoured a day at a time: one refused request a day costs nothing, and a limit
    // lifted early is then used the same day rather than after the certificate has expired.
    public static readonly TimeSpan LongestRetryAfter = TimeSpan.FromDays(1);

    public static OrderBackoff Initial => new(First);

    /// <summary>The wait after this failure: the backoff, or the server's Retry-After when that is longer.</summary>
    public TimeSpan DelayFor(TimeSpan? retryAfter) =>
        retryAfter is { } asked && asked > Current ? (asked < LongestRetryAfter ? asked : LongestRetryAfter) : Current;

    /// <summary>The backoff for the failure after this one.</summary>
    public OrderBackoff Next() => new(Current * 2 < Last ? Current * 2 : Last);
}
