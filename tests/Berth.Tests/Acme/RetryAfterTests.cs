using Berth.Acme;

namespace Berth.Tests.Acme;

public sealed class RetryAfterTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 16, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("120", 120)]
    [InlineData(" 0 ", 0)]
    [InlineData("86400", 86400)]
    public void Delta_seconds_are_a_wait_of_that_many_seconds(string header, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), RetryAfter.Parse(header, Now));

    [Fact]
    public void An_http_date_is_the_wait_until_that_moment() =>
        Assert.Equal(TimeSpan.FromMinutes(90), RetryAfter.Parse("Fri, 04 Dec 2026 17:30:00 GMT", Now));

    [Fact]
    public void An_http_date_already_past_means_now_not_a_negative_wait() =>
        Assert.Equal(TimeSpan.Zero, RetryAfter.Parse("Fri, 04 Dec 2026 15:00:00 GMT", Now));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("-5")]
    [InlineData("soon")]
    [InlineData("1.5")]
    [InlineData("2026-12-04T17:30:00Z")]
    public void Anything_else_is_no_advice(string? header) => Assert.Null(RetryAfter.Parse(header, Now));

    [Fact]
    public void A_delta_too_large_for_a_timespan_is_read_as_a_day() =>
        Assert.Equal(TimeSpan.FromDays(1), RetryAfter.Parse("99999999999999999", Now));
}
