using System.Net;
using System.Security.Cryptography;
using System.Text.Json;

namespace Berth.IntegrationTests;

/// <summary>The same user-visible behaviour from real Flask, Django and Pyramid apps behind berth.</summary>
public sealed class FrameworkAppTests
{
    public static TheoryData<string, string, string> Apps => new()
    {
        { "flask", "flask_app:application", "" },
        { "django", "djapp.wsgi:application", "django_app" },
        { "pyramid", "pyramid_app:application", "" },
    };

    /// <summary>Serves a test app from tests/apps with Debian's Python; two workers unless <paramref name="extra"/> says otherwise.</summary>
    internal static Task<BerthProcess> ServeAsync(string module, string subdir = "", params string[] extra) =>
        BerthProcess.StartAsync(["serve", module, "--python", BerthProcess.SystemPython, "--chdir", Path.Combine(BerthProcess.AppsDir, subdir), .. extra.Contains("-w") ? extra : ["-w", "2", .. extra]]);

    [Theory]
    [MemberData(nameof(Apps))]
    public async Task Serves_hello_and_a_correct_environ(string name, string module, string subdir)
    {
        await using BerthProcess berth = await ServeAsync(module, subdir);
        using HttpClient client = berth.CreateClient();

        Assert.Equal("Hello, World!", await client.GetStringAsync("/hello"));

        using JsonDocument environ = JsonDocument.Parse(await client.GetStringAsync("/environ?x=1&y=%20z"));
        JsonElement e = environ.RootElement;
        Assert.Equal("/environ", e.GetProperty("PATH_INFO").GetString());
        Assert.Equal("", e.GetProperty("SCRIPT_NAME").GetString());
        Assert.Equal("x=1&y=%20z", e.GetProperty("QUERY_STRING").GetString());
        Assert.Equal("127.0.0.1", e.GetProperty("REMOTE_ADDR").GetString());
        Assert.Equal($"127.0.0.1:{berth.Port}", e.GetProperty("HTTP_HOST").GetString());
        Assert.Equal("http", e.GetProperty("wsgi.url_scheme").GetString());
        _ = name;
    }

    [Theory]
    [MemberData(nameof(Apps))]
    public async Task A_3_MiB_post_arrives_intact(string name, string module, string subdir)
    {
        await using BerthProcess berth = await ServeAsync(module, subdir);
        using HttpClient client = berth.CreateClient();
        await AssertPostArrivesIntactAsync(client, 3 * 1024 * 1024);
        _ = name;
    }

    /// <summary>POSTs random bytes to /echo, which answers their length and sha256.</summary>
    internal static async Task AssertPostArrivesIntactAsync(HttpClient client, int size)
    {
        byte[] body = new byte[size];
        new Random(42).NextBytes(body);

        using HttpResponseMessage response = await client.PostAsync("/echo", new ByteArrayContent(body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using JsonDocument echo = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(body.Length, echo.RootElement.GetProperty("length").GetInt32());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(body)), echo.RootElement.GetProperty("sha256").GetString());
    }

    [Theory]
    [MemberData(nameof(Apps))]
    public async Task An_exception_in_a_view_is_a_500_with_the_traceback_in_the_log(string name, string module, string subdir)
    {
        await using BerthProcess berth = await ServeAsync(module, subdir);
        using HttpClient client = berth.CreateClient();

        using HttpResponseMessage response = await client.GetAsync("/error");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        await berth.WaitForOutputAsync("boom from view", TimeSpan.FromSeconds(10));
        Assert.Equal("Hello, World!", await client.GetStringAsync("/hello"));
        _ = name;
    }

    [Theory]
    [MemberData(nameof(Apps))]
    public async Task A_worker_dying_mid_request_is_a_502_for_that_client_only(string name, string module, string subdir)
    {
        await using BerthProcess berth = await ServeAsync(module, subdir);
        using HttpClient client = berth.CreateClient();

        using HttpResponseMessage crashed = await client.GetAsync("/crash");
        Assert.Equal(HttpStatusCode.BadGateway, crashed.StatusCode);

        // The other worker keeps serving, and a replacement is started.
        for (int i = 0; i < 6; i++)
        {
            Assert.Equal("Hello, World!", await client.GetStringAsync("/hello"));
        }

        await berth.WaitForOutputAsync("cause: crash", TimeSpan.FromSeconds(10));
        await berth.WaitForOutputAsync("worker 3 (pid", TimeSpan.FromSeconds(20));
        _ = name;
    }
}
