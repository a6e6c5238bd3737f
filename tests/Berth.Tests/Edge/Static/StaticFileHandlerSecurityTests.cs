namespace Berth.Tests.Edge.Static;

/// <summary>Requests that try to read what the mount does not publish. Each target exists, so a 404 shows the
/// handler refused rather than failed to find.</summary>
public sealed class StaticFileHandlerSecurityTests : IDisposable
{
    private readonly StaticSite _site = new();

    public StaticFileHandlerSecurityTests()
    {
        _site.Write("secret.txt", "outside the root", baseDirectory: _site.Outside);
        _site.Write("public.txt", "published");
    }

    public void Dispose() => _site.Dispose();

    [Theory]
    [InlineData("../private/secret.txt")]
    [InlineData("/../private/secret.txt")]
    [InlineData("css/../../private/secret.txt")]
    [InlineData("css/../public.txt")]                 // stays inside, but ".." is refused outright
    [InlineData("..")]
    [InlineData("./public.txt")]
    public async Task Dot_dot_segments_are_404(string path)
    {
        Directory.CreateDirectory(Path.Combine(_site.Root, "css"));

        Reply reply = await _site.Get(path);

        Assert.Equal(404, reply.Status);
        Assert.Empty(reply.Body);
    }

    [Theory]
    [InlineData("..%2Fprivate%2Fsecret.txt")]         // Kestrel leaves %2F encoded in Request.Path
    [InlineData("css%2F..%2F..%2Fprivate%2Fsecret.txt")]
    [InlineData("%2e%2e/private/secret.txt")]         // double-encoded: %252e%252e decoded once
    [InlineData("%2E%2E%2fprivate/secret.txt")]
    [InlineData("css%5c..%5csecret.txt")]
    [InlineData("..\\private\\secret.txt")]
    [InlineData("css\\public.txt")]
    public async Task Encoded_traversal_and_backslashes_are_404(string path)
    {
        Reply reply = await _site.Get(path);

        Assert.Equal(404, reply.Status);
    }

    [Fact]
    public async Task Nul_in_the_path_is_400()
    {
        Reply reply = await _site.Get("public.txt\0.png");

        Assert.Equal(400, reply.Status);
    }

    [Theory]
    [InlineData(".env")]
    [InlineData(".git/config")]
    [InlineData("css/.secret.css")]
    [InlineData(".hidden/")]
    public async Task Dotfiles_and_dot_directories_are_404_though_they_exist(string path)
    {
        _site.Write(".env", "SECRET_KEY=hunter2");
        _site.Write(".git/config", "[core]");
        _site.Write("css/.secret.css", "x");
        _site.Write(".hidden/index.html", "x");

        Reply reply = await _site.Get(path);

        Assert.Equal(404, reply.Status);
        Assert.Empty(reply.Body);
    }

    [Fact]
    public async Task Symlink_to_a_file_outside_the_root_is_404()
    {
        File.CreateSymbolicLink(Path.Combine(_site.Root, "passwd.txt"), Path.Combine(_site.Outside, "secret.txt"));

        Reply reply = await _site.Get("passwd.txt");

        Assert.Equal(404, reply.Status);
        Assert.Empty(reply.Body);
    }

    [Fact]
    public async Task Symlinked_directory_leading_outside_the_root_is_404()
    {
        Directory.CreateSymbolicLink(Path.Combine(_site.Root, "media"), _site.Outside);

        Reply file = await _site.Get("media/secret.txt");
        Reply directory = await _site.Get("media/");

        Assert.Equal(404, file.Status);
        Assert.Equal(404, directory.Status);
    }

    [Fact]
    public async Task Relative_symlink_climbing_out_is_404()
    {
        Directory.CreateDirectory(Path.Combine(_site.Root, "css"));
        File.CreateSymbolicLink(Path.Combine(_site.Root, "css", "x.txt"), "../../private/secret.txt");

        Reply reply = await _site.Get("css/x.txt");

        Assert.Equal(404, reply.Status);
    }

    [Fact]
    public async Task Sibling_directory_sharing_the_root_prefix_is_outside()
    {
        // Root ".../www"; ".../www-old" starts with the same characters and must not count as inside.
        string sibling = Directory.CreateDirectory(_site.Root + "-old").FullName;
        _site.Write("old.txt", "old", baseDirectory: sibling);
        File.CreateSymbolicLink(Path.Combine(_site.Root, "old.txt"), Path.Combine(sibling, "old.txt"));

        Reply reply = await _site.Get("old.txt");

        Assert.Equal(404, reply.Status);
    }

    [Fact]
    public async Task Sidecar_linking_outside_the_root_is_ignored()
    {
        _site.Write("app.js", "plain");
        File.CreateSymbolicLink(Path.Combine(_site.Root, "app.js.gz"), Path.Combine(_site.Outside, "secret.txt"));

        Reply reply = await _site.Get("app.js", ("Accept-Encoding", "gzip"));

        Assert.Equal(200, reply.Status);
        Assert.Equal("plain", reply.Text);
        Assert.Null(reply["Content-Encoding"]);
    }

    [Fact]
    public async Task Index_html_linking_outside_the_root_is_404()
    {
        Directory.CreateDirectory(Path.Combine(_site.Root, "docs"));
        File.CreateSymbolicLink(Path.Combine(_site.Root, "docs", "index.html"), Path.Combine(_site.Outside, "secret.txt"));

        Reply reply = await _site.Get("docs/");

        Assert.Equal(404, reply.Status);
    }

    [Fact]
    public async Task Symlinks_that_stay_inside_the_root_are_followed()
    {
        _site.Write("releases/v2/app.css", "v2");
        Directory.CreateSymbolicLink(Path.Combine(_site.Root, "current"), Path.Combine(_site.Root, "releases", "v2"));
        File.CreateSymbolicLink(Path.Combine(_site.Root, "site.css"), "releases/v2/app.css");

        Reply throughDirectory = await _site.Get("current/app.css");
        Reply throughFile = await _site.Get("site.css");

        Assert.Equal(200, throughDirectory.Status);
        Assert.Equal("v2", throughDirectory.Text);
        Assert.Equal(200, throughFile.Status);
        Assert.Equal("v2", throughFile.Text);
        Assert.Equal("text/css; charset=utf-8", throughFile["Content-Type"]);
    }

    [Fact]
    public async Task A_redirect_never_points_at_another_host()
    {
        Directory.CreateDirectory(Path.Combine(_site.Root, "evil.example"));
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Path = "//evil.example";

        await new Berth.Edge.Static.StaticFileHandler(_site.Root, _site.Time).ServeAsync(context, "//evil.example");

        Assert.Equal(301, context.Response.StatusCode);
        Assert.Equal("/evil.example/", context.Response.Headers.Location.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("/")]
    [InlineData("//")]
    [InlineData("%")]
    [InlineData("%2")]
    [InlineData("a%")]
    [InlineData("\u00e9t\u00e9.txt")]
    [InlineData("\ud800")]                               // a lone surrogate cannot become UTF-8
    [InlineData("a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p.txt")]
    public async Task Odd_paths_get_a_status_not_an_exception(string path)
    {
        Reply reply = await _site.Get(path, ("Range", "bytes=-"), ("If-None-Match", "\""), ("Accept-Encoding", ";q=,,br;q=x"), ("If-Modified-Since", "\0"));

        Assert.InRange(reply.Status, 200, 499);
    }
}
