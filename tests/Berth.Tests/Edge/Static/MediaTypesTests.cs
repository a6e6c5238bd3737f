using Berth.Edge.Static;

namespace Berth.Tests.Edge.Static;

public sealed class MediaTypesTests
{
    [Theory]
    [InlineData("index.html", "text/html; charset=utf-8")]
    [InlineData("site.CSS", "text/css; charset=utf-8")]
    [InlineData("app.mjs", "text/javascript; charset=utf-8")]
    [InlineData("data.json", "application/json; charset=utf-8")]
    [InlineData("logo.svg", "image/svg+xml; charset=utf-8")]
    [InlineData("font.woff2", "font/woff2")]
    [InlineData("photo.jpg", "image/jpeg")]
    [InlineData("archive.tar.gz", "application/x-gzip")]
    [InlineData("file.nosuchext", "application/octet-stream")]
    [InlineData("README", "application/octet-stream")]
    [InlineData("trailing.", "application/octet-stream")]
    public void By_extension(string name, string expected) => Assert.Equal(expected, MediaTypes.For(name));
}
