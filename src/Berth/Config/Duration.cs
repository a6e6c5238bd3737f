using System.Globalization;

namespace Berth.Config;

/// <summary>
/// Durations: a number with an optional unit, <c>ms</c>, <c>s</c>, <c>m</c> or <c>h</c>. A bare number is
/// seconds, because gunicorn's <c>--timeout 30</c> and <c>--graceful-timeout 30</c> are. Fractions are allowed
/// (<c>1.5s</c>, <c>0.5</c>); negative values and compound forms (<c>1m30s</c>) are not.
/// </summary>
public static class Duration
{
    public const string Forms = "a duration such as 30, 30s, 2m or 500ms (a bare number is seconds)";

    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        ReadOnlySpan<char> s = text.AsSpan().Trim();
        int unitStart = s.IndexOfAnyExceptInRange('0', '9');
        if (unitStart >= 0 && s[unitStart] == '.')
        {
            int fraction = s[(unitStart + 1)..].IndexOfAnyExceptInRange('0', '9');
            if (fraction == 0 || unitStart + 1 == s.Length)
            {
                return false; // "5." or "5.s": a point needs digits after it
            }

            unitStart = fraction < 0 ? -1 : unitStart + 1 + fraction;
        }

        ReadOnlySpan<char> number = unitStart < 0 ? s : s[..unitStart];
        ReadOnlySpan<char> unit = unitStart < 0 ? [] : s[unitStart..];
        long ticksPerUnit = unit switch
        {
            "" or "s" => TimeSpan.TicksPerSecond,
            "ms" => TimeSpan.TicksPerMillisecond,
            "m" => TimeSpan.TicksPerMinute,
            "h" => TimeSpan.TicksPerHour,
            _ => 0,
        };
        if (ticksPerUnit == 0 || number.IsEmpty || number[0] == '.'
            || !decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal count))
        {
            return false;
        }

        if (count > (decimal)TimeSpan.MaxValue.Ticks / ticksPerUnit)
        {
            return false;
        }

        value = TimeSpan.FromTicks((long)Math.Round(count * ticksPerUnit));
        return true;
    }

    /// <summary>The way a person would write it: 30s, 2m, 500ms, 1.5s.</summary>
    public static string Format(TimeSpan value)
    {
        if (value.Ticks % TimeSpan.TicksPerHour == 0 && value >= TimeSpan.FromHours(1))
        {
            return $"{value.TotalHours.ToString(CultureInfo.InvariantCulture)}h";
        }

        if (value.Ticks % TimeSpan.TicksPerMinute == 0 && value >= TimeSpan.FromMinutes(1))
        {
            return $"{value.TotalMinutes.ToString(CultureInfo.InvariantCulture)}m";
        }

        if (value.Ticks % TimeSpan.TicksPerSecond == 0 || value >= TimeSpan.FromSeconds(1))
        {
            return $"{value.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s";
        }

        return $"{value.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)}ms";
    }
}
