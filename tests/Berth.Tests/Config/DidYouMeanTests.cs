using Berth.Config;

namespace Berth.Tests.Config;

public sealed class DidYouMeanTests
{
    private static readonly string[] AppKeys = ["module", "interface", "workers", "threads", "preload", "python", "venv", "chdir", "env", "queue"];

    [Theory]
    [InlineData("worker", "workers")]     // one letter missing
    [InlineData("wokrers", "workers")]    // two letters swapped count as one edit
    [InlineData("Workers", "workers")]    // case
    [InlineData("thread", "threads")]
    [InlineData("modul", "module")]
    [InlineData("venvv", "venv")]
    [InlineData("work", "workers")]       // a prefix
    [InlineData("queue_size", "queue")]   // starts with a key
    [InlineData("interfaces", "interface")]
    [InlineData("prelaod", "preload")]
    public void Finds_the_key_a_typo_was_meant_to_be(string typo, string meant)
    {
        Assert.Equal(meant, DidYouMean.Find(typo, AppKeys));
    }

    [Theory]
    [InlineData("colour")]
    [InlineData("x")]
    [InlineData("ab")]
    public void Suggests_nothing_when_nothing_is_close(string typo)
    {
        Assert.Null(DidYouMean.Find(typo, AppKeys));
    }

    [Fact]
    public void Ignores_dashes_against_underscores()
    {
        Assert.Equal("max_body_size", DidYouMean.Find("max-body-siz", ["access_log", "max_body_size"]));
    }

    [Theory]
    [InlineData("", "", 0)]
    [InlineData("abc", "", 3)]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("ab", "ba", 1)]
    [InlineData("ca", "abc", 3)] // optimal string alignment, not full Damerau: no edits of a transposed pair
    public void Counts_edits(string a, string b, int distance)
    {
        Assert.Equal(distance, DidYouMean.Distance(a, b));
    }
}
