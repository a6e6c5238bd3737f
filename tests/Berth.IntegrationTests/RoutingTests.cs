using System.Net;
using System.Net.Sockets;

namespace Berth.IntegrationTests;

/// <summary>Sites chosen by Host, Unix-socket listeners, the bounded wait queue, and the bundled demo.</summary>
public sealed class RoutingTests
{
    private static string WriteConfig(string yaml)
    {
        string dir = Directory.CreateTempSubdirectory("berth-routing").FullName;
        string path = Path.Combine(dir, "berth.yml");
        File.WriteAllText(path, yaml);
        return path;
    }

    [Fact]
    public async Task Sites_are_chosen_by_host_and_an_unknown_host_gets_a_page_naming_the_known_ones()
    {
        string files = Directory.CreateTempSubdirectory("berth-site-b").FullName;
        File.WriteAllText(Path.Combine(files, "index.html"), "site b\n");
        int port = BerthProcess.FreePort();
        string config = WriteConfig($"""
            apps:
              plain:
                module: plain_wsgi:application
                python: {BerthProcess.SystemPython}
                chdir: {BerthProcess.AppsDir}
                workers: 1
            sites:
              a:
                listen: ["127.0.0.1:{port}"]
                hosts: [a.test]
                app: plain
              b:
                listen: ["127.0.0.1:{port}"]
                hosts: ["*.b.test"]
                static:
                  /: {files}
            """);
        await using BerthProcess berth = await BerthProcess.StartAsync(["serve", "--config", config], bind: false, port: port);

        string a = await berth.RawAsync("GET /hello HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n");
        string b = await berth.RawAsync("GET / HTTP/1.1\r\nHost: www.b.test:8080\r\nConnection: close\r\n\r\n");
        string unknown = await berth.RawAsync("GET / HTTP/1.1\r\nHost: evil.test\r\nConnection: close\r\n\r\n");

        Assert.EndsWith("Hello, World!", a, StringComparison.Ordinal);
        Assert.EndsWith("site b\n", b, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 404", unknown, StringComparison.Ordinal);
        Assert.Contains("evil.test", unknown, StringComparison.Ordinal);
        Assert.Contains("a.test", unknown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_unix_socket_listener_serves_like_a_tcp_one()
    {
        string socket = Path.Combine(Directory.CreateTempSubdirectory("berth-unix").FullName, "web.sock");
        await using BerthProcess berth = await BerthProcess.StartAsync(
            ["serve", "plain_wsgi:application", "--python", BerthProcess.SystemPython, "--chdir", BerthProcess.AppsDir, "-b", $"unix:{socket}"], bind: false);
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var unix = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await unix.ConnectAsync(new UnixDomainSocketEndPoint(socket), cancellationToken);
                return new NetworkStream(unix, ownsSocket: true);
            },
        };
        using var client = new HttpClient(handler) { BaseAddress = new Uri("http://localhost") };

        Assert.Equal("Hello, World!", await client.GetStringAsync("/hello"));
    }

    [Fact]
    public async Task A_full_wait_queue_answers_503_with_retry_after_at_once()
    {
        int port = BerthProcess.FreePort();
        string config = WriteConfig($"""
            apps:
              plain:
                module: plain_wsgi:application
                python: {BerthProcess.SystemPython}
                chdir: {BerthProcess.AppsDir}
                workers: 1
                queue: 1
            sites:
              main:
                listen: ["127.0.0.1:{port}"]
                app: plain
            """);
        await using BerthProcess berth = await BerthProcess.StartAsync(["serve", "--config", config], bind: false, port: port);
        using HttpClient client = berth.CreateClient();

        Task<HttpResponseMessage> busy = client.GetAsync("/slow?s=5");
        await WaitForStatusAsync(berth, app => app.GetProperty("workers")[0].GetProperty("in_flight").GetInt32() == 1);
        Task<HttpResponseMessage> queued = client.GetAsync("/slow?s=0");
        await WaitForStatusAsync(berth, app => app.GetProperty("waiting").GetInt32() == 1);
        using HttpResponseMessage refused = await client.GetAsync("/hello");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
        Assert.False(busy.IsCompleted);
        Assert.Equal(HttpStatusCode.OK, (await busy).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await queued).StatusCode);
    }

    /// <summary>Polls `berth status --json` until the first app matches, so the test knows what the server holds instead of guessing with sleeps.</summary>
    private static async Task WaitForStatusAsync(BerthProcess berth, Func<System.Text.Json.JsonElement, bool> condition)
    {
        for (int attempt = 0; attempt < 100; attempt++)
        {
            (int code, string json) = await BerthProcess.RunAsync("status", "--json", "--control", berth.ControlPath!);
            Assert.True(code == 0, json);
            using var status = System.Text.Json.JsonDocument.Parse(json);
            if (condition(status.RootElement.GetProperty("apps")[0]))
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail("the server never reached the expected state");
    }

    [Fact]
    public async Task The_demo_keeps_its_guestbook_across_restarts()
    {
        // A copy, so the SQLite file the demo writes lands in a temp dir and not in the repository.
        string demo = Directory.CreateTempSubdirectory("berth-demo").FullName;
        CopyDirectory(Path.Combine(BerthProcess.RepoRoot, "examples", "demo"), demo);
        string config = Path.Combine(demo, "berth.yml");
        string message = $"hello from the test {Guid.NewGuid():N}";

        await using (BerthProcess first = await BerthProcess.StartAsync(["serve", "--config", config]))
        {
            using HttpClient client = new(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = first.BaseUri };
            using HttpResponseMessage signed = await client.PostAsync("/sign", new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = "test", ["message"] = message }));
            Assert.Equal(HttpStatusCode.SeeOther, signed.StatusCode);
            Assert.Contains(message, await client.GetStringAsync("/"), StringComparison.Ordinal);
            Assert.Contains("body", await client.GetStringAsync("/static/style.css"), StringComparison.Ordinal);
        }

        await using BerthProcess second = await BerthProcess.StartAsync(["serve", "--config", config]);
        using HttpClient again = second.CreateClient();
        Assert.Contains(message, await again.GetStringAsync("/"), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(demo, "data", "guestbook.db")));
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (string dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories).Where(d => !d.Contains("data", StringComparison.Ordinal) && !d.Contains("__pycache__", StringComparison.Ordinal)))
        {
            Directory.CreateDirectory(dir.Replace(from, to, StringComparison.Ordinal));
        }

        foreach (string file in Directory.GetFiles(from, "*", SearchOption.AllDirectories).Where(f => !f.Contains("/data/", StringComparison.Ordinal) && !f.Contains("__pycache__", StringComparison.Ordinal)))
        {
            File.Copy(file, file.Replace(from, to, StringComparison.Ordinal));
        }
    }
}
