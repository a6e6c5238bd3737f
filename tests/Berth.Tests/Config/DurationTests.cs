using Berth.Config;

namespace Berth.Tests.Config;

public sealed class DurationTests
{
    [Theory]
    [InlineData("30", 30_000L)]     // bare numbers are seconds, as in gunicorn
    [InlineData("30s", 30_000L)]
    [InlineData("2m", 120_000L)]
    [InlineData("500ms", 500L)]
    [InlineData("1h", 3_600_000L)]
    [InlineData("1.5s", 1_500L)]
    [InlineData("0.5", 500L)]
    [InlineData("0", 0L)]
    [InlineData(" 10s ", 10_000L)]
    public void Reads_a_number_and_a_unit(string text, long milliseconds)
    {
        Assert.True(Duration.TryParse(text, out TimeSpan value));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("s")]
    [InlineData("-1s")]
    [InlineData("1m30s")]
    [InlineData("30 s")]
    [InlineData("5.")]
    [InlineData(".5")]
    [InlineData("1.2.3")]
    [InlineData("10x")]
    [InlineData("2M")]     // minutes are m; M would read as months to someone
    [InlineData("1e3")]
    [InlineData("soon")]
    [InlineData("99999999999999999999h")]
    [InlineData("999999999999999999999999999999")]
    public void Refuses_anything_else(string? text)
    {
        Assert.False(Duration.TryParse(text, out _));
    }

    [Theory]
    [InlineData(30_000L, "30s")]
    [InlineData(120_000L, "2m")]
    [InlineData(90_000L, "90s")]
    [InlineData(7_200_000L, "2h")]
    [InlineData(500L, "500ms")]
    [InlineData(1_500L, "1.5s")]
    [InlineData(0L, "0s")]
    public void Formats_the_way_a_person_writes_it(long milliseconds, string text)
    {
        Assert.Equal(text, Duration.Format(TimeSpan.FromMilliseconds(milliseconds)));
        Assert.True(Duration.TryParse(text, out TimeSpan back));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), back);
    }
}
