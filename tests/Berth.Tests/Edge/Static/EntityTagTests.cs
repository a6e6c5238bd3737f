using Berth.Edge.Static;
using Microsoft.Extensions.Primitives;

namespace Berth.Tests.Edge.Static;

public sealed class EntityTagTests
{
    private const string Tag = "\"6968a588-5\"";

    [Fact]
    public void Created_as_nginx_does_with_the_coding_appended_for_variants()
    {
        var facts = new FileFacts(FileKind.Regular, 5, 1768465800);

        Assert.Equal(Tag, EntityTag.Create(facts, null));
        Assert.Equal("\"6968a588-5-br\"", EntityTag.Create(facts, "br"));
        Assert.Equal("\"6968a588-5-gzip\"", EntityTag.Create(facts, "gzip"));
    }

    [Theory]
    [InlineData(Tag, true, true)]
    [InlineData("W/" + Tag, true, false)]                      // weak tag: matches only weakly
    [InlineData("\"a\", " + Tag, true, true)]
    [InlineData("\"a\",W/\"b\" ,  " + Tag + " ", true, true)]
    [InlineData("\"a,b\", " + Tag, true, true)]                // a comma inside a tag is not a separator
    [InlineData("*", true, true)]
    [InlineData("\"6968a588-4\"", false, false)]
    [InlineData("6968a588-5", false, false)]                   // unquoted: not an entity-tag
    [InlineData("6968a588-5, " + Tag, true, true)]             // ...but does not spoil the rest of the list
    [InlineData("\"6968a588-5", false, false)]                 // unterminated
    [InlineData("", false, false)]
    public void List_matching(string field, bool weakMatch, bool strongMatch)
    {
        Assert.Equal(weakMatch, EntityTag.AnyMatches(new StringValues(field), Tag, weakComparison: true));
        Assert.Equal(strongMatch, EntityTag.AnyMatches(new StringValues(field), Tag, weakComparison: false));
    }

    [Fact]
    public void Every_field_line_counts() =>
        Assert.True(EntityTag.AnyMatches(new StringValues(["\"a\"", Tag]), Tag, weakComparison: true));

    [Theory]
    [InlineData(Tag, true)]
    [InlineData(" " + Tag + " ", true)]
    [InlineData("W/" + Tag, false)]
    [InlineData("\"6968a588-4\"", false)]
    public void Strong_equality_for_if_range(string candidate, bool expected) =>
        Assert.Equal(expected, EntityTag.StrongEquals(candidate, Tag));
}
