using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Berth.IntegrationTests;

/// <summary>Debian's FastAPI, Starlette and Quart apps behind berth, with many requests in flight per worker.</summary>
public sealed class AsgiTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    public static TheoryData<string> Apps => new() { "fastapi_app:app", "starlette_app:app", "quart_app:app" };

    [Theory]
    [MemberData(nameof(Apps))]
    public async Task Serves_text_json_and_a_3_MiB_post(string module)
    {
        await using BerthProcess berth = await FrameworkAppTests.ServeAsync(module);
        using HttpClient client = berth.CreateClient();

        Assert.Equal("Hello, World!", await client.GetStringAsync("/hello"));
        using (JsonDocument json = JsonDocument.Parse(await client.GetStringAsync("/json")))
        {
            Assert.Equal("Hello, World!", json.RootElement.GetProperty("message").GetString());
            Assert.Equal(3, json.RootElement.GetProperty("numbers").GetArrayLength());
        }

        await FrameworkAppTests.AssertPostArrivesIntactAsync(client, 3 * 1024 * 1024);
        Assert.Contains("ready, capacity 100", berth.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fifty_slow_requests_on_one_worker_are_in_flight_together()
    {
        await using BerthProcess berth = await FrameworkAppTests.ServeAsync("fastapi_app:app", "", "-w", "1");
        using HttpClient client = berth.CreateClient();

        // /gather is a barrier: no request answers until all 50 wait in the same process at once.
        string[] answers = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => client.GetStringAsync("/gather?n=50")));

        var pids = new HashSet<int>();
        foreach (string answer in answers)
        {
            using JsonDocument json = JsonDocument.Parse(answer);
            pids.Add(json.RootElement.GetProperty("pid").GetInt32());
            Assert.Equal(50, json.RootElement.GetProperty("arrived").GetInt32());
        }

        Assert.Single(pids);
    }

    [Theory]
    [InlineData("fastapi_app:app")]
    [InlineData("starlette_app:app")]
    public async Task Server_sent_events_arrive_one_by_one(string module)
    {
        await using BerthProcess berth = await FrameworkAppTests.ServeAsync(module);

        // The app sleeps 0.3 s between events: a server that buffered would deliver "one" with "two".
        string first = await ServingTests.AssertStreamedAsync(berth, "/sse", "data: one\n\n", "data: two\n\n", "data: three\n\n");
        Assert.Contains("text/event-stream", first, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_going_away_reaches_the_app_as_http_disconnect()
    {
        await using BerthProcess berth = await FrameworkAppTests.ServeAsync("fastapi_app:app", "", "-w", "1");
        using HttpClient http = berth.CreateClient();
        Assert.Equal("0", await http.GetStringAsync("/disconnects"));

        using (var client = new TcpClient())
        {
            await client.ConnectAsync(IPAddress.Loopback, berth.Port);
            await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes("GET /wait-disconnect HTTP/1.1\r\nHost: x\r\n\r\n"));
            await Task.Delay(500); // lets the request reach the view, which then waits for the disconnect
        }

        DateTime until = DateTime.UtcNow + Patience;
        while (await http.GetStringAsync("/disconnects") != "1")
        {
            Assert.True(DateTime.UtcNow < until, "the view never saw http.disconnect\n" + berth.Output);
            await Task.Delay(100);
        }
    }

    [Theory]
    [InlineData("/sleep?s=60", true)] // awaits: CANCEL reaches the task, which is cancelled
    [InlineData("/block?s=60", false)] // time.sleep blocks the loop: CANCEL cannot reach it
    public async Task A_view_past_its_deadline_is_cancelled_and_only_a_worker_that_ignores_cancel_is_replaced(string path, bool kept)
    {
        await using BerthProcess berth = await FrameworkAppTests.ServeAsync("fastapi_app:app", "", "-w", "1", "--timeout", "1s");
        using HttpClient client = berth.CreateClient();
        string pid = await client.GetStringAsync("/pid");

        using HttpResponseMessage response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);

        if (kept)
        {
            DateTime until = DateTime.UtcNow + Patience;
            while (await client.GetStringAsync("/cancelled") != "1")
            {
                Assert.True(DateTime.UtcNow < until, "the view was never cancelled\n" + berth.Output);
                await Task.Delay(100);
            }

            Assert.Equal(pid, await client.GetStringAsync("/pid"));
            Assert.DoesNotContain("is being replaced", berth.Output, StringComparison.Ordinal);
        }
        else
        {
            await berth.WaitForOutputAsync("exceeded timeout 1s on GET /block", Patience);
            await berth.WaitForOutputAsync("worker 2 (pid", Patience);
            Assert.NotEqual(pid, await client.GetStringAsync("/pid"));
        }
    }

    [Fact]
    public async Task A_websocket_echoes_text_and_a_1_MB_message_and_closes_with_the_apps_code()
    {
        await using BerthProcess berth = await FrameworkAppTests.ServeAsync("fastapi_app:app");
        var start = new System.Diagnostics.ProcessStartInfo(BerthProcess.SystemPython) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(BerthProcess.AppsDir, "ws_client.py"));
        start.ArgumentList.Add($"ws://127.0.0.1:{berth.Port}/ws");
        using var client = System.Diagnostics.Process.Start(start)!;
        Task<string> errors = client.StandardError.ReadToEndAsync();
        string output = await client.StandardOutput.ReadToEndAsync();
        await client.WaitForExitAsync(new CancellationTokenSource(Patience).Token);
        Assert.True(client.ExitCode == 0, await errors + "\n" + berth.Output);

        using JsonDocument result = JsonDocument.Parse(output);
        JsonElement r = result.RootElement;
        Assert.Equal("echo", r.GetProperty("subprotocol").GetString());
        Assert.Equal("hello", r.GetProperty("text").GetString());
        Assert.True(r.GetProperty("binary_intact").GetBoolean());
        Assert.Equal(4000, r.GetProperty("close_code").GetInt32());
        Assert.Equal("bye", r.GetProperty("close_reason").GetString());
        Assert.Equal(403, r.GetProperty("denied").GetInt32());
    }

    [Fact]
    public async Task Lifespan_startup_state_reaches_every_request_and_connections_sets_the_capacity()
    {
        await using BerthProcess berth = await FrameworkAppTests.ServeAsync("fastapi_app:app", "", "--connections", "60");
        Assert.Contains("ready, capacity 60", berth.Output, StringComparison.Ordinal);
        using HttpClient client = berth.CreateClient();
        using JsonDocument state = JsonDocument.Parse(await client.GetStringAsync("/state"));
        Assert.Equal("hello from lifespan", state.RootElement.GetProperty("greeting").GetString());
        Assert.StartsWith("started in lifespan by pid", state.RootElement.GetProperty("started").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_lifespan_startup_stops_serve_with_the_error()
    {
        (int code, string output) = await BerthProcess.RunAsync(
            "serve", "fastapi_bad_startup:app", "--python", BerthProcess.SystemPython, "--chdir", BerthProcess.AppsDir,
            "-w", "1", "-b", $"127.0.0.1:{BerthProcess.FreePort()}");

        Assert.Equal(3, code);
        Assert.Contains("the database at db.internal:5432 refused the connection", output, StringComparison.Ordinal);
        Assert.Contains("lifespan startup failed", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_view_that_raises_is_a_500_with_the_traceback_in_the_log()
    {
        await using BerthProcess berth = await FrameworkAppTests.ServeAsync("fastapi_app:app");
        using HttpClient client = berth.CreateClient();
        using HttpResponseMessage response = await client.GetAsync("/error");
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        await berth.WaitForOutputAsync("boom from view", Patience);
        Assert.Equal("Hello, World!", await client.GetStringAsync("/hello"));
    }
}
