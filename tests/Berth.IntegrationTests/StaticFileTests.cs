using System.Net;
using System.Net.Http.Headers;

namespace Berth.IntegrationTests;

/// <summary>Static files through the real edge: validators, ranges, sidecars, and every way out of the root refused.</summary>
public sealed class StaticFileTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("berth-static").FullName;
    private BerthProcess? _berth;

    private BerthProcess Berth => _berth!;

    public async Task InitializeAsync()
    {
        string root = Path.Combine(_dir, "public");
        Directory.CreateDirectory(Path.Combine(root, "docs"));
        File.WriteAllText(Path.Combine(root, "app.css"), "body { color: #333; }\n");
        File.WriteAllBytes(Path.Combine(root, "app.css.gz"), [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        File.WriteAllText(Path.Combine(root, "app.3f9a1c.js"), "console.log('fingerprinted');\n");
        File.WriteAllText(Path.Combine(root, "docs", "index.html"), "<h1>docs</h1>\n");
        File.WriteAllText(Path.Combine(root, ".env"), "SECRET=dotfile\n");
        File.WriteAllText(Path.Combine(_dir, "secret.txt"), "SECRET=outside\n");
        File.CreateSymbolicLink(Path.Combine(root, "escape.txt"), Path.Combine(_dir, "secret.txt"));
        File.CreateSymbolicLink(Path.Combine(root, "inside.css"), Path.Combine(root, "app.css"));
        _berth = await FrameworkAppTests.ServeAsync("plain_wsgi:application", "", "--static", $"/static={root}");
    }

    public async Task DisposeAsync()
    {
        if (_berth is not null)
        {
            await _berth.DisposeAsync();
        }

        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Files_come_with_validators_and_revalidate_to_304()
    {
        using HttpClient client = Berth.CreateClient();
        using HttpResponseMessage first = await client.GetAsync("/static/app.css");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("text/css", first.Content.Headers.ContentType?.MediaType);
        Assert.Equal("body { color: #333; }\n", await first.Content.ReadAsStringAsync());
        EntityTagHeaderValue etag = first.Headers.ETag!;
        DateTimeOffset modified = first.Content.Headers.LastModified!.Value;
        Assert.Contains("no-cache", first.Headers.CacheControl!.ToString(), StringComparison.Ordinal);

        using var byTag = new HttpRequestMessage(HttpMethod.Get, "/static/app.css");
        byTag.Headers.IfNoneMatch.Add(etag);
        Assert.Equal(HttpStatusCode.NotModified, (await client.SendAsync(byTag)).StatusCode);

        using var byDate = new HttpRequestMessage(HttpMethod.Get, "/static/app.css");
        byDate.Headers.IfModifiedSince = modified;
        Assert.Equal(HttpStatusCode.NotModified, (await client.SendAsync(byDate)).StatusCode);
    }

    [Fact]
    public async Task Ranges_give_206_and_unsatisfiable_ones_416()
    {
        using HttpClient client = Berth.CreateClient();
        using var range = new HttpRequestMessage(HttpMethod.Get, "/static/app.css");
        range.Headers.Range = new RangeHeaderValue(0, 3);
        using HttpResponseMessage partial = await client.SendAsync(range);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal("body", await partial.Content.ReadAsStringAsync());
        Assert.Equal("bytes 0-3/22", partial.Content.Headers.ContentRange!.ToString());

        using var suffix = new HttpRequestMessage(HttpMethod.Get, "/static/app.css");
        suffix.Headers.Range = new RangeHeaderValue(null, 3);
        Assert.Equal(" }\n", await (await client.SendAsync(suffix)).Content.ReadAsStringAsync());

        using var beyond = new HttpRequestMessage(HttpMethod.Get, "/static/app.css");
        beyond.Headers.Range = new RangeHeaderValue(100, 200);
        using HttpResponseMessage refused = await client.SendAsync(beyond);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, refused.StatusCode);
        Assert.Equal("bytes */22", refused.Content.Headers.ContentRange!.ToString());
    }

    [Fact]
    public async Task Precompressed_sidecars_and_immutable_fingerprints()
    {
        using HttpClient client = Berth.CreateClient();
        using var gzip = new HttpRequestMessage(HttpMethod.Get, "/static/app.css");
        gzip.Headers.AcceptEncoding.ParseAdd("gzip, br;q=0");
        using HttpResponseMessage compressed = await client.SendAsync(gzip);
        Assert.Equal("gzip", compressed.Content.Headers.ContentEncoding.Single());
        Assert.Contains("Accept-Encoding", compressed.Headers.Vary);

        using HttpResponseMessage fingerprinted = await client.GetAsync("/static/app.3f9a1c.js");
        Assert.Contains("immutable", fingerprinted.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromDays(365), fingerprinted.Headers.CacheControl!.MaxAge);
    }

    [Fact]
    public async Task Directories_serve_index_html_and_are_never_listed()
    {
        using HttpClient client = new(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = Berth.BaseUri };
        Assert.Equal("<h1>docs</h1>\n", await client.GetStringAsync("/static/docs/"));
        using HttpResponseMessage redirect = await client.GetAsync("/static/docs");
        Assert.Equal(HttpStatusCode.MovedPermanently, redirect.StatusCode);
        Assert.Equal("/static/docs/", redirect.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/static/")).StatusCode);
    }

    [Theory]
    [InlineData("/static/../secret.txt")]
    [InlineData("/static/%2e%2e/secret.txt")]
    [InlineData("/static/..%2fsecret.txt")]
    [InlineData("/static/%2e%2e%2fsecret.txt")]
    [InlineData("/static/docs/..%5c..%5csecret.txt")]
    [InlineData("/static/.env")]
    [InlineData("/static/%2eenv")]
    [InlineData("/static/escape.txt")]
    public async Task Traversal_dotfiles_and_escaping_symlinks_are_refused(string target)
    {
        string response = await Berth.RawAsync($"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

        Assert.DoesNotContain("SECRET", response, StringComparison.Ordinal);
        Assert.Matches("^HTTP/1.1 (400|403|404) ", response);
    }

    [Fact]
    public async Task Symlinks_that_stay_inside_the_root_are_served()
    {
        using HttpClient client = Berth.CreateClient();
        Assert.Equal("body { color: #333; }\n", await client.GetStringAsync("/static/inside.css"));
    }
}
