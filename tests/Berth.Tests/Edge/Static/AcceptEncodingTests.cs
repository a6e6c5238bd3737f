using Berth.Edge.Static;
using Microsoft.Extensions.Primitives;

namespace Berth.Tests.Edge.Static;

public sealed class AcceptEncodingTests
{
    [Theory]
    [InlineData("gzip, deflate, br, zstd", "br", 1.0)]       // Chrome
    [InlineData("gzip, deflate, br, zstd", "gzip", 1.0)]
    [InlineData("br;q=0.8, gzip;q=0.5", "br", 0.8)]
    [InlineData("br;q=0.8, gzip;q=0.5", "gzip", 0.5)]
    [InlineData("BR", "br", 1.0)]
    [InlineData("br ; Q = 0.3", "br", 0.3)]
    [InlineData("br;q=0", "br", 0.0)]
    [InlineData("br;q=0.000", "br", 0.0)]
    [InlineData("gzip", "br", 0.0)]
    [InlineData("", "br", 0.0)]
    [InlineData("*", "br", 1.0)]
    [InlineData("*;q=0.2", "gzip", 0.2)]
    [InlineData("*, br;q=0", "br", 0.0)]                     // named beats wildcard
    [InlineData("br;q=0, *", "br", 0.0)]
    [InlineData("x-gzip", "gzip", 1.0)]                      // RFC 9110 §8.4.1.3 alias
    [InlineData("br;q=abc", "br", 0.0)]                      // unreadable member: as if absent
    [InlineData("br;q=2", "br", 0.0)]
    [InlineData("br;level=5", "br", 1.0)]                    // other parameters do not matter
    [InlineData("brotli", "br", 0.0)]
    [InlineData(",,br,,", "br", 1.0)]
    public void Quality(string field, string coding, double expected) =>
        Assert.Equal(expected, AcceptEncoding.Quality(new StringValues(field), coding));

    [Fact]
    public void Every_field_line_counts()
    {
        var lines = new StringValues(["gzip", "br;q=0.4"]);

        Assert.Equal(0.4, AcceptEncoding.Quality(lines, "br"));
        Assert.Equal(1.0, AcceptEncoding.Quality(lines, "gzip"));
    }

    [Fact]
    public void No_header_accepts_nothing_but_identity() =>
        Assert.Equal(0.0, AcceptEncoding.Quality(StringValues.Empty, "gzip"));
}
