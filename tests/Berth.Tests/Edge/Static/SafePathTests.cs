using Berth.Edge.Static;

namespace Berth.Tests.Edge.Static;

public sealed class SafePathTests
{
    [Theory]
    [InlineData("/srv/www", "", "/srv/www")]
    [InlineData("/srv/www", "/", "/srv/www")]
    [InlineData("/srv/www", "/css/site.css", "/srv/www/css/site.css")]
    [InlineData("/srv/www", "css/site.css", "/srv/www/css/site.css")]
    [InlineData("/srv/www", "//css///site.css", "/srv/www/css/site.css")]     // merge_slashes
    [InlineData("/srv/www", "/docs/", "/srv/www/docs")]
    [InlineData("/srv/www", "/a..b/c.d", "/srv/www/a..b/c.d")]                // dots inside a name are fine
    [InlineData("/srv/www", "/100%.txt", "/srv/www/100%.txt")]
    [InlineData("/srv/www", "/%41.txt", "/srv/www/%41.txt")]                  // only separators are suspicious
    [InlineData("/", "/etc/hostname", "/etc/hostname")]
    [InlineData("/", "", "/")]
    public void Maps_onto_the_root(string root, string relative, string expected)
    {
        Assert.Equal(PathVerdict.Ok, SafePath.Map(root, relative, out string full));
        Assert.Equal(expected, full);
    }

    [Theory]
    [InlineData("/..")]
    [InlineData("/a/../b")]
    [InlineData("/./a")]
    [InlineData("/.git/HEAD")]
    [InlineData("/a/.env")]
    [InlineData("/.well-known/acme-challenge/x")]
    [InlineData("/a\\b")]
    [InlineData("/..%2F..%2Fetc/passwd")]
    [InlineData("/a%2fb")]
    [InlineData("/%2e%2e/x")]
    [InlineData("/%2E./x")]
    [InlineData("/a%5Cb")]
    [InlineData("/a%00b")]
    public void Refuses(string relative) =>
        Assert.Equal(PathVerdict.Refused, SafePath.Map("/srv/www", relative, out _));

    [Fact]
    public void Nul_is_malformed() =>
        Assert.Equal(PathVerdict.Malformed, SafePath.Map("/srv/www", "/a\0b", out _));

    [Theory]
    [InlineData("/srv/www", "/srv/www", true)]
    [InlineData("/srv/www", "/srv/www/a", true)]
    [InlineData("/srv/www", "/srv/www-old/a", false)]
    [InlineData("/srv/www", "/srv/wwwx", false)]
    [InlineData("/srv/www", "/srv", false)]
    [InlineData("/srv/www", "/etc/passwd", false)]
    [InlineData("/", "/etc/passwd", true)]
    public void Within(string root, string real, bool expected) =>
        Assert.Equal(expected, SafePath.IsWithin(root, real));
}
