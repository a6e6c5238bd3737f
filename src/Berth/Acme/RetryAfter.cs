using System.Globalization;

namespace Berth.Acme;

/// <summary>
/// The Retry-After header (RFC 9110 10.2.3): either delta-seconds or an HTTP-date. ACME servers send it on polls
/// (RFC 8555 7.5.1), on 429 rateLimited answers (RFC 8555 6.6) and on renewalInfo (RFC 9773 4.3).
/// </summary>
public static class RetryAfter
{
    /// <summary>How long to wait from <paramref name="now"/>; null when the header is absent or not one of the two
    /// forms. A date already past is zero, not negative.</summary>
    public static TimeSpan? Parse(string? value, DateTimeOffset now)
    {
        value = value?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long seconds))
        {
            // A delta beyond what TimeSpan holds is a broken server; a day is as long as anything here waits.
            return seconds > TimeSpan.MaxValue.TotalSeconds / 2 ? TimeSpan.FromDays(1) : TimeSpan.FromSeconds(seconds);
        }

        // IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") is what servers send; "r" is exactly that layout.
        if (DateTimeOffset.TryParseExact(value, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset date))
        {
            return date > now ? date - now : TimeSpan.Zero;
        }

        return null;
    }

    /// <summary>The first Retry-After of <paramref name="response"/>, as <see cref="Parse"/> reads it.</summary>
    public static TimeSpan? From(HttpResponseMessage response, DateTimeOffset now) =>
        Parse(response.Headers.TryGetValues("Retry-After", out IEnumerable<string>? values) ? values.FirstOrDefault() : null, now);
}
