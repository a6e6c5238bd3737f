using Berth.Edge.Static;

namespace Berth.Tests.Edge.Static;

public sealed class ByteRangeTests
{
    [Theory]
    [InlineData("bytes=0-499", 1000, 0, 500)]
    [InlineData("bytes=500-999", 1000, 500, 500)]
    [InlineData("bytes=500-", 1000, 500, 500)]
    [InlineData("bytes=-200", 1000, 800, 200)]
    [InlineData("bytes=-2000", 1000, 0, 1000)]
    [InlineData("bytes=900-5000", 1000, 900, 100)]
    [InlineData("bytes=999-999", 1000, 999, 1)]
    [InlineData("BYTES=0-0", 1000, 0, 1)]
    [InlineData("bytes= 10-19 ", 1000, 10, 10)]                      // OWS around a list member
    [InlineData("bytes=10-19,", 1000, 10, 10)]                       // empty list elements do not count
    [InlineData("bytes=0-99999999999999999999999", 1000, 0, 1000)]   // an end past long.MaxValue is "to the end"
    [InlineData("bytes=-99999999999999999999999", 1000, 0, 1000)]
    public void Satisfiable(string field, long length, long start, long count)
    {
        Assert.Equal(RangeOutcome.Satisfiable, ByteRange.Parse(field, length, out ByteRange range));
        Assert.Equal(new ByteRange(start, count), range);
    }

    [Theory]
    [InlineData("bytes=1000-")]
    [InlineData("bytes=1000-2000")]
    [InlineData("bytes=-0")]
    [InlineData("bytes=99999999999999999999999-")]
    public void Unsatisfiable(string field) =>
        Assert.Equal(RangeOutcome.Unsatisfiable, ByteRange.Parse(field, 1000, out _));

    [Theory]
    [InlineData("")]
    [InlineData("bytes=")]
    [InlineData("bytes=,")]
    [InlineData("bytes=5")]
    [InlineData("bytes=-")]
    [InlineData("bytes=5-2")]
    [InlineData("bytes=99999999999999999999999-5")]
    [InlineData("bytes=a-b")]
    [InlineData("bytes=+1-2")]
    [InlineData("bytes=1 -2")]
    [InlineData("bytes=0x10-")]
    [InlineData("bytes=0-1,5-6")]          // several ranges: whole representation (see ByteRange.Parse)
    [InlineData("bytes=0-1,5000-")]
    [InlineData("items=0-1")]
    [InlineData("bytes 0-1")]
    public void Ignored(string field) =>
        Assert.Equal(RangeOutcome.Ignore, ByteRange.Parse(field, 1000, out _));

    [Fact]
    public void Empty_representation_ignores_every_range()
    {
        Assert.Equal(RangeOutcome.Ignore, ByteRange.Parse("bytes=0-", 0, out _));
        Assert.Equal(RangeOutcome.Ignore, ByteRange.Parse("bytes=-5", 0, out _));
    }

    [Fact]
    public void End_is_inclusive()
    {
        Assert.Equal(499, new ByteRange(0, 500).End);
    }
}
