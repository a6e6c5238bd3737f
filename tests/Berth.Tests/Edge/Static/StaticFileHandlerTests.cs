using Berth.Edge.Static;

namespace Berth.Tests.Edge.Static;

public sealed class StaticFileHandlerTests : IDisposable
{
    private readonly StaticSite _site = new();

    public void Dispose() => _site.Dispose();

    [Fact]
    public async Task Get_answers_200_with_body_type_validators_and_caching()
    {
        _site.Write("css/site.css", "body{}");

        Reply reply = await _site.Get("/css/site.css");

        Assert.Equal(200, reply.Status);
        Assert.Equal("body{}", reply.Text);
        Assert.Equal("text/css; charset=utf-8", reply["Content-Type"]);
        Assert.Equal("6", reply["Content-Length"]);
        Assert.Equal("\"6968a588-6\"", reply["ETag"]);
        Assert.Equal(StaticSite.FileTimeHttp, reply["Last-Modified"]);
        Assert.Equal("bytes", reply["Accept-Ranges"]);
        Assert.Equal("nosniff", reply["X-Content-Type-Options"]);
        Assert.Equal("no-cache", reply["Cache-Control"]);
        Assert.Null(reply["Vary"]);
        Assert.Null(reply["Content-Encoding"]);
    }

    [Theory]
    [InlineData("app.js", "text/javascript; charset=utf-8")]
    [InlineData("data.json", "application/json; charset=utf-8")]
    [InlineData("logo.svg", "image/svg+xml; charset=utf-8")]
    [InlineData("photo.PNG", "image/png")]
    [InlineData("module.wasm", "application/wasm")]
    [InlineData("notes.unknownext", "application/octet-stream")]
    [InlineData("Makefile", "application/octet-stream")]
    public async Task Content_type_comes_from_the_extension(string name, string expected)
    {
        _site.Write(name, "x");

        Reply reply = await _site.Get(name);

        Assert.Equal(200, reply.Status);
        Assert.Equal(expected, reply["Content-Type"]);
    }

    [Fact]
    public async Task Head_sends_the_same_headers_and_no_body()
    {
        _site.Write("index.txt", "hello world");

        Reply get = await _site.Get("index.txt");
        Reply head = await _site.Head("index.txt");

        Assert.Equal(200, head.Status);
        Assert.Empty(head.Body);
        Assert.Equal("11", head["Content-Length"]);
        Assert.Equal(get["ETag"], head["ETag"]);
        Assert.Equal(get["Content-Type"], head["Content-Type"]);
        Assert.Equal(get["Last-Modified"], head["Last-Modified"]);
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("OPTIONS")]
    public async Task Other_methods_get_405_with_allow(string method)
    {
        _site.Write("a.txt", "a");

        Reply reply = await _site.Send(method, "a.txt", []);

        Assert.Equal(405, reply.Status);
        Assert.Equal("GET, HEAD", reply["Allow"]);
        Assert.Empty(reply.Body);
    }

    [Fact]
    public async Task Missing_file_is_404()
    {
        Reply reply = await _site.Get("nope.css");

        Assert.Equal(404, reply.Status);
        Assert.Empty(reply.Body);
    }

    // --- conditional requests ---

    [Theory]
    [InlineData("\"6968a588-5\"")]
    [InlineData("W/\"6968a588-5\"")]                       // If-None-Match compares weakly
    [InlineData("\"other\", \"6968a588-5\"")]              // a list
    [InlineData("*")]
    public async Task If_none_match_that_matches_gets_304_without_body(string ifNoneMatch)
    {
        _site.Write("a.txt", "hello");

        Reply reply = await _site.Get("a.txt", ("If-None-Match", ifNoneMatch));

        Assert.Equal(304, reply.Status);
        Assert.Empty(reply.Body);
        Assert.Equal("\"6968a588-5\"", reply["ETag"]);
        Assert.Equal("no-cache", reply["Cache-Control"]);
    }

    [Fact]
    public async Task If_none_match_for_an_older_version_gets_200()
    {
        _site.Write("a.txt", "hello");

        Reply reply = await _site.Get("a.txt", ("If-None-Match", "\"6968a588-4\""));

        Assert.Equal(200, reply.Status);
        Assert.Equal("hello", reply.Text);
    }

    [Fact]
    public async Task Changing_the_file_changes_the_etag()
    {
        _site.Write("a.txt", "hello");
        string before = (await _site.Get("a.txt"))["ETag"]!;

        _site.Write("a.txt", "hello", StaticSite.FileTime.AddSeconds(1));
        Reply reply = await _site.Get("a.txt", ("If-None-Match", before));

        Assert.Equal(200, reply.Status);
        Assert.NotEqual(before, reply["ETag"]);
    }

    [Theory]
    [InlineData(StaticSite.FileTimeHttp)]                   // what we sent
    [InlineData("Fri, 16 Jan 2026 00:00:00 GMT")]          // later than the file
    [InlineData("Friday, 16-Jan-26 00:00:00 GMT")]         // obsolete RFC 850 form, still to be accepted
    public async Task If_modified_since_not_older_than_the_file_gets_304(string date)
    {
        _site.Write("a.txt", "hello");

        Reply reply = await _site.Get("a.txt", ("If-Modified-Since", date));

        Assert.Equal(304, reply.Status);
        Assert.Empty(reply.Body);
        Assert.Equal(StaticSite.FileTimeHttp, reply["Last-Modified"]);
    }

    [Theory]
    [InlineData("Thu, 15 Jan 2026 08:29:59 GMT")]          // a second too early
    [InlineData("not a date")]
    [InlineData("Fri, 01 Jan 2100 00:00:00 GMT")]          // in the future: cannot be a date we sent
    public async Task If_modified_since_older_or_unusable_gets_200(string date)
    {
        _site.Write("a.txt", "hello");

        Reply reply = await _site.Get("a.txt", ("If-Modified-Since", date));

        Assert.Equal(200, reply.Status);
        Assert.Equal("hello", reply.Text);
    }

    [Fact]
    public async Task If_none_match_takes_precedence_over_if_modified_since()
    {
        _site.Write("a.txt", "hello");

        Reply reply = await _site.Get("a.txt", ("If-None-Match", "\"stale\""), ("If-Modified-Since", StaticSite.FileTimeHttp));

        Assert.Equal(200, reply.Status);
    }

    [Fact]
    public async Task If_match_that_fails_gets_412()
    {
        _site.Write("a.txt", "hello");

        Reply mismatch = await _site.Get("a.txt", ("If-Match", "\"stale\""));
        Reply match = await _site.Get("a.txt", ("If-Match", "\"6968a588-5\""));
        Reply unmodified = await _site.Get("a.txt", ("If-Unmodified-Since", "Thu, 01 Jan 2026 00:00:00 GMT"));

        Assert.Equal(412, mismatch.Status);
        Assert.Equal(200, match.Status);
        Assert.Equal(412, unmodified.Status);
    }

    [Fact]
    public async Task A_modification_time_in_the_future_is_sent_as_now()
    {
        _site.Write("a.txt", "hello", StaticSite.FileTime.AddYears(5));
        _site.Time.Now = new DateTimeOffset(2026, 2, 1, 12, 0, 0, TimeSpan.Zero);

        Reply reply = await _site.Get("a.txt");

        Assert.Equal("Sun, 01 Feb 2026 12:00:00 GMT", reply["Last-Modified"]);
    }

    // --- ranges ---

    [Theory]
    [InlineData("bytes=0-3", "0123", "bytes 0-3/10")]
    [InlineData("bytes=4-", "456789", "bytes 4-9/10")]
    [InlineData("bytes=-3", "789", "bytes 7-9/10")]
    [InlineData("bytes=-30", "0123456789", "bytes 0-9/10")]   // suffix longer than the file: all of it
    [InlineData("bytes=8-100", "89", "bytes 8-9/10")]         // end past the file: clipped
    [InlineData("Bytes=2-2", "2", "bytes 2-2/10")]
    public async Task Single_range_gets_206_with_content_range(string range, string body, string contentRange)
    {
        _site.Write("digits.txt", "0123456789");

        Reply reply = await _site.Get("digits.txt", ("Range", range));

        Assert.Equal(206, reply.Status);
        Assert.Equal(body, reply.Text);
        Assert.Equal(contentRange, reply["Content-Range"]);
        Assert.Equal(body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), reply["Content-Length"]);
        Assert.Equal("text/plain; charset=utf-8", reply["Content-Type"]);
        Assert.Equal("\"6968a588-a\"", reply["ETag"]);
    }

    [Theory]
    [InlineData("bytes=10-")]
    [InlineData("bytes=99-200")]
    [InlineData("bytes=-0")]
    public async Task Unsatisfiable_range_gets_416_with_the_length(string range)
    {
        _site.Write("digits.txt", "0123456789");

        Reply reply = await _site.Get("digits.txt", ("Range", range));

        Assert.Equal(416, reply.Status);
        Assert.Equal("bytes */10", reply["Content-Range"]);
        Assert.Empty(reply.Body);
    }

    [Theory]
    [InlineData("bytes=0-1,4-5")]    // several ranges: whole file with 200 (see ByteRange.Parse)
    [InlineData("bytes=5-2")]        // invalid: ignored
    [InlineData("items=0-1")]        // unknown unit: ignored
    [InlineData("bytes=abc")]
    public async Task Ranges_we_do_not_serve_get_the_whole_file(string range)
    {
        _site.Write("digits.txt", "0123456789");

        Reply reply = await _site.Get("digits.txt", ("Range", range));

        Assert.Equal(200, reply.Status);
        Assert.Equal("0123456789", reply.Text);
        Assert.Null(reply["Content-Range"]);
    }

    [Fact]
    public async Task Head_ignores_range()
    {
        _site.Write("digits.txt", "0123456789");

        Reply reply = await _site.Head("digits.txt", ("Range", "bytes=0-3"));

        Assert.Equal(200, reply.Status);
        Assert.Equal("10", reply["Content-Length"]);
        Assert.Empty(reply.Body);
    }

    [Fact]
    public async Task If_range_with_the_current_etag_gets_the_range()
    {
        _site.Write("digits.txt", "0123456789");

        Reply reply = await _site.Get("digits.txt", ("Range", "bytes=0-3"), ("If-Range", "\"6968a588-a\""));

        Assert.Equal(206, reply.Status);
        Assert.Equal("0123", reply.Text);
    }

    [Theory]
    [InlineData("\"6968a588-9\"")]                   // the file changed since the client's first part
    [InlineData("W/\"6968a588-a\"")]                 // weak tags never satisfy If-Range
    [InlineData("Wed, 14 Jan 2026 08:30:00 GMT")]     // a different date
    public async Task If_range_that_does_not_match_gets_the_whole_file(string ifRange)
    {
        _site.Write("digits.txt", "0123456789");

        Reply reply = await _site.Get("digits.txt", ("Range", "bytes=0-3"), ("If-Range", ifRange));

        Assert.Equal(200, reply.Status);
        Assert.Equal("0123456789", reply.Text);
    }

    [Fact]
    public async Task If_range_with_the_last_modified_date_gets_the_range()
    {
        _site.Write("digits.txt", "0123456789");

        Reply reply = await _site.Get("digits.txt", ("Range", "bytes=7-"), ("If-Range", StaticSite.FileTimeHttp));

        Assert.Equal(206, reply.Status);
        Assert.Equal("789", reply.Text);
    }

    [Fact]
    public async Task If_range_date_is_not_trusted_for_a_file_changed_this_second()
    {
        _site.Write("digits.txt", "0123456789");
        _site.Time.Now = StaticSite.FileTime.AddMilliseconds(500);

        Reply reply = await _site.Get("digits.txt", ("Range", "bytes=7-"), ("If-Range", StaticSite.FileTimeHttp));

        Assert.Equal(200, reply.Status);
    }

    [Fact]
    public async Task Empty_file_is_served_whole_even_when_a_range_is_asked()
    {
        _site.Write("empty.txt", "");

        Reply reply = await _site.Get("empty.txt", ("Range", "bytes=0-"));

        Assert.Equal(200, reply.Status);
        Assert.Equal("0", reply["Content-Length"]);
        Assert.Empty(reply.Body);
    }

    // --- precompressed sidecars ---

    private void WriteWithSidecars(bool br = true, bool gz = true)
    {
        _site.Write("app.js", "plain-javascript");     // 16 bytes
        if (br)
        {
            _site.Write("app.js.br", "BROTLI");         // 6 bytes
        }

        if (gz)
        {
            _site.Write("app.js.gz", "GZIPPED!");       // 8 bytes
        }
    }

    [Theory]
    [InlineData("gzip, deflate, br", "br", "BROTLI")]
    [InlineData("br;q=0, gzip", "gzip", "GZIPPED!")]
    [InlineData("gzip;q=1.0, br;q=0.5", "gzip", "GZIPPED!")]
    [InlineData("x-gzip", "gzip", "GZIPPED!")]
    [InlineData("*", "br", "BROTLI")]
    [InlineData("*, br;q=0", "gzip", "GZIPPED!")]
    public async Task Sidecar_is_chosen_by_accept_encoding(string acceptEncoding, string coding, string body)
    {
        WriteWithSidecars();

        Reply reply = await _site.Get("app.js", ("Accept-Encoding", acceptEncoding));

        Assert.Equal(200, reply.Status);
        Assert.Equal(body, reply.Text);
        Assert.Equal(coding, reply["Content-Encoding"]);
        Assert.Equal("text/javascript; charset=utf-8", reply["Content-Type"]);
        Assert.Equal("Accept-Encoding", reply["Vary"]);
        Assert.Equal(StaticSite.ETagOf(body.Length, coding), reply["ETag"]);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("identity")]
    [InlineData("br;q=0, gzip;q=0")]
    [InlineData("deflate")]
    public async Task Without_an_acceptable_coding_the_original_is_sent_but_still_varies(string? acceptEncoding)
    {
        WriteWithSidecars();

        Reply reply = acceptEncoding is null
            ? await _site.Get("app.js")
            : await _site.Get("app.js", ("Accept-Encoding", acceptEncoding));

        Assert.Equal("plain-javascript", reply.Text);
        Assert.Null(reply["Content-Encoding"]);
        Assert.Equal("Accept-Encoding", reply["Vary"]);
        Assert.Equal("\"6968a588-10\"", reply["ETag"]);
    }

    [Fact]
    public async Task Gzip_sidecar_alone_serves_gzip_to_a_brotli_browser()
    {
        WriteWithSidecars(br: false);

        Reply reply = await _site.Get("app.js", ("Accept-Encoding", "gzip, deflate, br, zstd"));

        Assert.Equal("gzip", reply["Content-Encoding"]);
        Assert.Equal("GZIPPED!", reply.Text);
    }

    [Fact]
    public async Task Each_encoding_revalidates_against_its_own_etag()
    {
        WriteWithSidecars();
        string brTag = StaticSite.ETagOf(6, "br");

        Reply brClient = await _site.Get("app.js", ("Accept-Encoding", "br"), ("If-None-Match", brTag));
        Reply gzipClient = await _site.Get("app.js", ("Accept-Encoding", "gzip"), ("If-None-Match", brTag));

        Assert.Equal(304, brClient.Status);
        Assert.Equal("Accept-Encoding", brClient["Vary"]);
        Assert.Equal(200, gzipClient.Status);
        Assert.Equal("GZIPPED!", gzipClient.Text);
    }

    [Fact]
    public async Task Range_applies_to_the_compressed_bytes_that_are_sent()
    {
        WriteWithSidecars();

        Reply reply = await _site.Get("app.js", ("Accept-Encoding", "br"), ("Range", "bytes=2-"));

        Assert.Equal(206, reply.Status);
        Assert.Equal("OTLI", reply.Text);
        Assert.Equal("bytes 2-5/6", reply["Content-Range"]);
        Assert.Equal("br", reply["Content-Encoding"]);
    }

    // --- caching ---

    [Theory]
    [InlineData("app.3f9a1c.js")]
    [InlineData("main-4f2a9b7c.css")]
    [InlineData("chunk.8e3f2a1b9c.min.js")]
    [InlineData("index-BxH3k9aQ.js")]
    public async Task Fingerprinted_names_are_cached_for_a_year(string name)
    {
        _site.Write("assets/" + name, "x");

        Reply reply = await _site.Get("assets/" + name);

        Assert.Equal("public, max-age=31536000, immutable", reply["Cache-Control"]);
    }

    [Theory]
    [InlineData("app.js")]
    [InlineData("jquery-3.7.1.min.js")]
    [InlineData("my-component.js")]
    public async Task Other_names_are_revalidated(string name)
    {
        _site.Write(name, "x");

        Reply reply = await _site.Get(name);

        Assert.Equal("no-cache", reply["Cache-Control"]);
    }

    [Fact]
    public async Task A_plain_name_linking_to_a_fingerprinted_file_is_still_revalidated()
    {
        _site.Write("app.3f9a1c.js", "x");
        File.CreateSymbolicLink(Path.Combine(_site.Root, "latest.js"), "app.3f9a1c.js");

        Reply reply = await _site.Get("latest.js");

        Assert.Equal(200, reply.Status);
        Assert.Equal("no-cache", reply["Cache-Control"]);
    }

    // --- directories ---

    [Fact]
    public async Task Directory_with_slash_serves_its_index_html()
    {
        _site.Write("docs/index.html", "<h1>docs</h1>");

        Reply reply = await _site.Get("docs/");

        Assert.Equal(200, reply.Status);
        Assert.Equal("<h1>docs</h1>", reply.Text);
        Assert.Equal("text/html; charset=utf-8", reply["Content-Type"]);
        Assert.Equal("no-cache", reply["Cache-Control"]);
    }

    [Fact]
    public async Task Mount_root_serves_its_index_html_and_the_bare_prefix_redirects()
    {
        _site.Write("index.html", "home");

        Reply slash = await _site.Get("/");
        Reply empty = await _site.Get("");

        Assert.Equal("home", slash.Text);
        Assert.Equal(301, empty.Status);
        Assert.Equal("/static/", empty["Location"]);
    }

    [Fact]
    public async Task Directory_without_slash_redirects_and_keeps_the_query()
    {
        _site.Write("docs/index.html", "<h1>docs</h1>");

        Reply reply = await _site.Send("GET", "docs", [], query: "?page=2&q=a%20b");

        Assert.Equal(301, reply.Status);
        Assert.Equal("/static/docs/?page=2&q=a%20b", reply["Location"]);
        Assert.Empty(reply.Body);
    }

    [Fact]
    public async Task Redirect_location_is_escaped()
    {
        Directory.CreateDirectory(Path.Combine(_site.Root, "my docs"));

        Reply reply = await _site.Get("my docs");

        Assert.Equal("/static/my%20docs/", reply["Location"]);
    }

    [Fact]
    public async Task Directory_without_index_is_404_never_a_listing()
    {
        _site.Write("files/secret-report.pdf", "pdf");

        Reply reply = await _site.Get("files/");

        Assert.Equal(404, reply.Status);
        Assert.Empty(reply.Body);
    }

    [Fact]
    public async Task A_file_asked_for_as_a_directory_is_404()
    {
        _site.Write("app.js", "x");

        Reply reply = await _site.Get("app.js/");

        Assert.Equal(404, reply.Status);
    }

    [Fact]
    public async Task Index_html_uses_its_own_sidecar()
    {
        _site.Write("docs/index.html", "<h1>docs</h1>");
        _site.Write("docs/index.html.gz", "GZ");

        Reply reply = await _site.Get("docs/", ("Accept-Encoding", "gzip"));

        Assert.Equal("GZ", reply.Text);
        Assert.Equal("gzip", reply["Content-Encoding"]);
        Assert.Equal("text/html; charset=utf-8", reply["Content-Type"]);
    }

    // --- the client and the file system misbehaving ---

    [Fact]
    public async Task Client_that_went_away_is_not_an_error()
    {
        _site.Write("big.bin", new string('x', 100_000));
        using var aborted = new CancellationTokenSource();
        await aborted.CancelAsync();

        Reply reply = await _site.Send("GET", "big.bin", [], aborted: aborted.Token);

        Assert.Equal(200, reply.Status); // headers were decided; the body simply never went out
    }

    [Fact]
    public async Task A_fifo_is_not_a_file_and_does_not_block()
    {
        string fifo = Path.Combine(_site.Root, "pipe.txt");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", fifo))
        {
            await mkfifo.WaitForExitAsync();
        }

        // A generous ceiling so a regression fails instead of hanging the run (opening a FIFO blocks).
        Reply reply = await _site.Get("pipe.txt").WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(404, reply.Status);
    }

    [Fact]
    public async Task Root_is_resolved_through_a_symlink_once()
    {
        _site.Write("a.txt", "hello");
        string link = Path.Combine(Path.GetDirectoryName(_site.Root)!, "current");
        Directory.CreateSymbolicLink(link, _site.Root);

        var handler = new StaticFileHandler(link, _site.Time);

        Assert.Equal(_site.Root, handler.RootDirectory);
    }

    [Fact]
    public void Missing_root_is_reported_with_the_fix()
    {
        var error = Assert.Throws<DirectoryNotFoundException>(() => new StaticFileHandler(Path.Combine(_site.Root, "missing"), _site.Time));

        Assert.Contains("berth.yml", error.Message, StringComparison.Ordinal);
    }
}
