using Berth.Config;

namespace Berth.Tests.Config;

public sealed class ByteSizeTests
{
    [Theory]
    [InlineData("0", 0L)]
    [InlineData("512", 512L)]
    [InlineData("64k", 65536L)]
    [InlineData("64K", 65536L)]
    [InlineData("10M", 10485760L)]
    [InlineData("10m", 10485760L)]
    [InlineData("1G", 1073741824L)]
    [InlineData(" 2g ", 2147483648L)]
    [InlineData("8589934591G", 9223372035781033984L)]
    public void Reads_nginx_style_sizes(string text, long bytes)
    {
        Assert.True(ByteSize.TryParse(text, out long parsed));
        Assert.Equal(bytes, parsed);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("M")]
    [InlineData("10MB")]   // 10⁶ or 2²⁰? refused rather than guessed
    [InlineData("10 M")]
    [InlineData("1.5G")]
    [InlineData("-1")]
    [InlineData("+1")]
    [InlineData("1e6")]
    [InlineData("10T")]
    [InlineData("k10")]
    [InlineData("8589934592G")]            // one past long.MaxValue
    [InlineData("99999999999999999999")]   // past long itself
    public void Refuses_anything_else(string? text)
    {
        Assert.False(ByteSize.TryParse(text, out _));
    }

    [Theory]
    [InlineData("512M", 512L)]
    [InlineData("2G", 2048L)]
    [InlineData("1048576", 1L)]
    [InlineData("2048k", 2L)]
    [InlineData("0", 0L)]
    public void Reads_whole_megabytes(string text, long megabytes)
    {
        Assert.True(ByteSize.TryParseMegabytes(text, out long parsed));
        Assert.Equal(megabytes, parsed);
    }

    [Theory]
    [InlineData("512")]     // uWSGI's reload-on-rss = 512 is megabytes; here it would be bytes
    [InlineData("1000k")]
    [InlineData("10MB")]
    [InlineData(null)]
    public void Refuses_sizes_that_are_not_whole_megabytes(string? text)
    {
        Assert.False(ByteSize.TryParseMegabytes(text, out _));
    }

    [Theory]
    [InlineData(10485760L, "10M")]
    [InlineData(1536L, "1536")]
    [InlineData(2048L, "2k")]
    [InlineData(1073741824L, "1G")]
    [InlineData(0L, "0")]
    public void Formats_the_shortest_exact_way(long bytes, string text)
    {
        Assert.Equal(text, ByteSize.Format(bytes));
        Assert.True(ByteSize.TryParse(text, out long back));
        Assert.Equal(bytes, back);
    }
}
