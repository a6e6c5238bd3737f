using Berth.Deploy.Progress;

namespace Berth.Tests.Deploy.Progress;

public sealed class RemoteLineTests
{
    [Theory]
    [InlineData("Collecting flask", "Collecting flask")]
    // pip's progress bar redraws itself with \r: what the terminal ends up showing is the last state.
    [InlineData("   10% |#   |\r   50% |##  |\r  100% |####|", "  100% |####|")]
    [InlineData("\u001b[31mERROR:\u001b[0m No matching distribution", "ERROR: No matching distribution")]
    [InlineData("Reading package lists...\r", "Reading package lists...")]
    [InlineData("a\tb\u0007", "a b")]
    public void Remote_output_is_kept_as_the_terminal_would_finally_show_it(string raw, string shown)
    {
        Assert.Equal(shown, RemoteLine.Clean(raw));
    }

    [Fact]
    public void A_long_line_is_cut_to_the_width_with_an_ellipsis()
    {
        Assert.Equal("abcd…", RemoteLine.Fit("abcdefgh", 5));
        Assert.Equal("abc", RemoteLine.Fit("abc", 5));
    }
}
