using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Berth.IntegrationTests;

/// <summary>Dispatch, the edge's refusals, logs and shutdown, shown with real workers.</summary>
public sealed class ServingTests
{
    private static Task<BerthProcess> ServePlainAsync(params string[] extra) =>
        FrameworkAppTests.ServeAsync("plain_wsgi:application", "", extra);

    [Fact]
    public async Task A_slow_request_pins_one_worker_and_every_other_request_goes_to_the_idle_one()
    {
        await using BerthProcess berth = await FrameworkAppTests.ServeAsync("flask_app:application");
        using HttpClient client = berth.CreateClient();

        Task<string> slow = client.GetStringAsync("/slow?s=4");
        await Task.Delay(1000); // lets the slow request reach its worker; it stays there for 4 s
        var pids = new HashSet<string>();
        for (int i = 0; i < 8; i++)
        {
            pids.Add(await client.GetStringAsync("/pid"));
        }

        string slowPid = await slow;
        Assert.Single(pids);
        Assert.DoesNotContain(slowPid, pids);
    }

    [Fact]
    public async Task Sequential_requests_are_spread_over_idle_workers()
    {
        await using BerthProcess berth = await FrameworkAppTests.ServeAsync("flask_app:application");
        using HttpClient client = berth.CreateClient();
        var pids = new HashSet<string>();
        for (int i = 0; i < 10; i++)
        {
            pids.Add(await client.GetStringAsync("/pid"));
        }

        Assert.Equal(2, pids.Count);
    }

    [Fact]
    public async Task Oversized_bodies_get_413_naming_the_limit_and_never_reach_python()
    {
        await using BerthProcess berth = await ServePlainAsync("--max-body-size", "1M", "--access-logfile", "-");

        // Declared too large: refused from the headers alone, before any byte of the body is read.
        string declared = await berth.RawAsync("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2097152\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 413", declared, StringComparison.Ordinal);
        Assert.Contains("1 MiB", declared, StringComparison.Ordinal);

        // Chunked: refused once the body read so far passes the limit.
        string chunk = new('a', 256 * 1024);
        string chunked = await berth.RawAsync("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + string.Concat(Enumerable.Repeat($"40000\r\n{chunk}\r\n", 5)));
        Assert.StartsWith("HTTP/1.1 413", chunked, StringComparison.Ordinal);

        await berth.WaitForOutputAsync("\"POST /echo HTTP/1.1\" 413", TimeSpan.FromSeconds(5));
        Assert.DoesNotContain("POST /echo HTTP/1.1\" 200", berth.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_chunked_upload_reaches_wsgi_with_a_content_length()
    {
        await using BerthProcess berth = await ServePlainAsync();
        string body = "alpha\nbeta\ngamma\n";
        string response = await berth.RawAsync(
            "POST /readline HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" +
            "6\r\nalpha\n\r\n" + "b\r\nbeta\ngamma\n\r\n" + "0\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 200", response, StringComparison.Ordinal);
        Assert.Contains("[\"alpha\\n\", \"beta\\n\", \"gamma\\n\"]", response, StringComparison.Ordinal);
        Assert.Contains($"\"CONTENT_LENGTH\": \"{body.Length}\"", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_requests_and_header_overflow_are_refused_by_the_edge()
    {
        await using BerthProcess berth = await ServePlainAsync("--access-logfile", "-");

        string garbage = await berth.RawAsync("GET /hello HTTP/1.1 extra junk\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 400", garbage, StringComparison.Ordinal);

        string huge = await berth.RawAsync($"GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: {new string('a', 40 * 1024)}\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 431", huge, StringComparison.Ordinal);

        string noHost = await berth.RawAsync("GET /hello HTTP/1.1\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 400", noHost, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Streamed_responses_arrive_chunk_by_chunk()
    {
        await using BerthProcess berth = await ServePlainAsync();
        string marker = Path.Combine(Directory.CreateTempSubdirectory("berth-gate").FullName, "go");
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, berth.Port);
        NetworkStream stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET /gated?marker={Uri.EscapeDataString(marker)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));

        // The app yields "two" only after we create the marker, which we do only once "one" has
        // reached us: a server that buffered the response would never deliver "one" on its own.
        var received = new StringBuilder();
        byte[] buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(8));
        while (!received.ToString().Contains("one\n", StringComparison.Ordinal))
        {
            int read = await stream.ReadAsync(buffer, timeout.Token);
            Assert.NotEqual(0, read);
            received.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        Assert.Contains("Transfer-Encoding: chunked", received.ToString(), StringComparison.Ordinal);
        await File.WriteAllTextAsync(marker, "");
        string rest = await new StreamReader(stream).ReadToEndAsync();
        Assert.Contains("two\n", rest, StringComparison.Ordinal);
    }

    /// <summary>GETs path over a raw socket and checks that what arrives up to <paramref name="first"/>
    /// holds none of the later parts, which must all follow. Returns the first part (with the head).</summary>
    internal static async Task<string> AssertStreamedAsync(BerthProcess berth, string path, string first, params string[] later)
    {
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, berth.Port);
        NetworkStream stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));

        var received = new StringBuilder();
        byte[] buffer = new byte[4096];
        while (!received.ToString().Contains(first, StringComparison.Ordinal))
        {
            int read = await stream.ReadAsync(buffer);
            Assert.NotEqual(0, read);
            received.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        string rest = await new StreamReader(stream).ReadToEndAsync();
        foreach (string part in later)
        {
            Assert.DoesNotContain(part, received.ToString(), StringComparison.Ordinal);
            Assert.Contains(part, rest, StringComparison.Ordinal);
        }

        return received.ToString();
    }

    [Fact]
    public async Task The_wsgiref_validator_finds_nothing_wrong()
    {
        await using BerthProcess berth = await ServePlainAsync();
        using HttpClient client = berth.CreateClient();

        Assert.Equal("Hello, World!", await client.GetStringAsync("/hello"));
        Assert.Contains("def raw_application", await client.GetStringAsync("/filewrapper"), StringComparison.Ordinal);
        Assert.Equal("first\nsecond\n", await client.GetStringAsync("/write"));
        using HttpResponseMessage posted = await client.PostAsync("/echo", new StringContent("hello"));
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        using HttpResponseMessage error = await client.GetAsync("/error");
        Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);

        await Task.Delay(300);
        Assert.DoesNotContain("AssertionError", berth.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("WSGIWarning", berth.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Threads_let_one_worker_run_requests_concurrently()
    {
        await using BerthProcess berth = await FrameworkAppTests.ServeAsync("plain_wsgi:application", "", "-w", "1", "--threads", "4");
        using HttpClient client = berth.CreateClient();

        // Each request waits at a barrier for the other three: only four threads at once get through.
        string[] answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => client.GetStringAsync("/barrier?n=4")));

        Assert.All(answers, a => Assert.Equal("passed", a));
    }

    [Fact]
    public async Task Mounts_set_script_name_and_forwarded_proto_is_believed_only_from_allowed_ips()
    {
        string dir = Directory.CreateTempSubdirectory("berth-mount").FullName;
        string config = Path.Combine(dir, "berth.yml");
        File.WriteAllText(config, $"""
            apps:
              plain:
                module: plain_wsgi:application
                python: {BerthProcess.SystemPython}
                chdir: {BerthProcess.AppsDir}
                workers: 1
            sites:
              main:
                listen: ["127.0.0.1:1"]
                mounts:
                  /api: plain
            """);
        await using BerthProcess berth = await BerthProcess.StartAsync(["serve", "--config", config, "--forwarded-allow-ips", "10.9.9.9"]);
        using HttpClient client = berth.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/environ/x%20y");
        request.Headers.Add("X-Forwarded-Proto", "https");

        using HttpResponseMessage response = await client.SendAsync(request);
        using JsonDocument environ = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal("/api", environ.RootElement.GetProperty("SCRIPT_NAME").GetString());
        Assert.Equal("/environ/x y", environ.RootElement.GetProperty("PATH_INFO").GetString());
        Assert.Equal("http", environ.RootElement.GetProperty("wsgi.url_scheme").GetString()); // 127.0.0.1 is not in the allowed list
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/elsewhere")).StatusCode);
    }

    [Fact]
    public async Task Trusted_proxies_set_the_url_scheme()
    {
        await using BerthProcess berth = await ServePlainAsync();
        using HttpClient client = berth.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/environ");
        request.Headers.Add("X-Forwarded-Proto", "https");

        using HttpResponseMessage response = await client.SendAsync(request);
        using JsonDocument environ = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal("https", environ.RootElement.GetProperty("wsgi.url_scheme").GetString());
    }

    [Fact]
    public async Task The_access_log_is_nginx_combined_plus_upstream_time_and_worker()
    {
        await using BerthProcess berth = await ServePlainAsync("--access-logfile", "-");
        using HttpClient client = berth.CreateClient();
        client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("probe", "1.0"));

        await client.GetStringAsync("/hello?a=1");

        string output = await berth.WaitForOutputAsync("GET /hello?a=1", TimeSpan.FromSeconds(5));
        string line = output.Split('\n').First(l => l.Contains("GET /hello?a=1", StringComparison.Ordinal));
        Assert.Matches("""^127\.0\.0\.1 - - \[\d\d/\w\w\w/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] "GET /hello\?a=1 HTTP/1\.1" 200 13 "-" "probe/1\.0" rt=\d+\.\d{3} w=plain_wsgi:[12]$""", line.TrimEnd('\r'));
    }

    [Fact]
    public async Task Worker_output_is_captured_line_by_line_with_app_and_worker_id()
    {
        await using BerthProcess berth = await ServePlainAsync();
        using HttpClient client = berth.CreateClient();

        await client.GetStringAsync("/print");

        await berth.WaitForOutputAsync("[plain_wsgi:", TimeSpan.FromSeconds(5));
        Assert.Matches(@"\[plain_wsgi:\d\] printed by the view", berth.Output);
    }

    [Fact]
    public async Task Graceful_shutdown_finishes_the_request_in_flight_then_exits_0()
    {
        BerthProcess berth = await FrameworkAppTests.ServeAsync("flask_app:application");
        await using (berth)
        {
            using HttpClient client = berth.CreateClient();
            Task<HttpResponseMessage> slow = client.GetAsync("/slow?s=2");
            await Task.Delay(700);

            Task<int> exit = berth.TerminateAsync(TimeSpan.FromSeconds(30));
            using HttpResponseMessage response = await slow;

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(0, await exit);
            Assert.Contains("shutting down", berth.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_app_that_fails_to_import_stops_serve_with_the_traceback_and_what_to_fix()
    {
        var clock = Stopwatch.StartNew();
        (int code, string output) = await BerthProcess.RunAsync("serve", "broken_app:application", "--python", BerthProcess.SystemPython, "--chdir", BerthProcess.AppsDir, "-w", "2", "-b", $"127.0.0.1:{BerthProcess.FreePort()}");

        Assert.Equal(3, code);
        Assert.Contains("Traceback", output, StringComparison.Ordinal);
        Assert.Contains("no_such_module_berth", output, StringComparison.Ordinal);
        Assert.Contains("cannot start", output, StringComparison.Ordinal);
        // No restart loop: exactly the two workers were started once each.
        Assert.DoesNotContain("[broken_app:3]", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_config_exits_2_naming_the_line()
    {
        string dir = Directory.CreateTempSubdirectory("berth-badconfig").FullName;
        string config = Path.Combine(dir, "berth.yml");
        File.WriteAllText(config, "apps:\n  web:\n    module: app:application\n    wokers: 3\n");

        (int serveCode, string serveOutput) = await BerthProcess.RunAsync("serve", "--config", config);
        (int checkCode, string checkOutput) = await BerthProcess.RunAsync("check", "--config", config);

        Assert.Equal(2, serveCode);
        Assert.Equal(2, checkCode);
        Assert.Contains("berth.yml:4", serveOutput, StringComparison.Ordinal);
        Assert.Contains("workers", checkOutput, StringComparison.Ordinal);
    }
}
