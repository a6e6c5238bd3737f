namespace Berth.IntegrationTests;

/// <summary>
/// Issue 4, item 7: a worker that leaves (reload, recycling, shutdown) keeps its open WebSockets until they
/// close or websocket_drain_timeout passes, then the client gets a close frame with 1001 Going Away, the app
/// gets websocket.disconnect 1001, and the worker exits. New WebSockets go to the new workers only.
/// Real berth, Debian's FastAPI and python3-websockets (tests/apps/ws_session.py).
/// </summary>
public sealed class WebSocketDrainTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(40);

    [Fact]
    public async Task A_reload_keeps_an_open_websocket_echoing_sends_new_ones_to_the_new_worker_and_closes_the_old_one_with_1001()
    {
        // 10 s of drain: long enough to check the old socket still echoes after the reload on a loaded machine.
        await using BerthProcess berth = await FrameworkAppTests.ServeAsync("fastapi_app:app", "", "-w", "1", "--websocket-drain-timeout", "10s");
        await using var ws = WebSocketSession.Start(berth);
        string oldPid = await OpenAsync(ws, "old");

        await ReloadAsync(berth);

        Assert.Equal("still here", await ws.SendAsync("old", "still here"));
        await ws.OpenAsync("new");
        string newPid = await ws.SendAsync("new", "pid");
        Assert.NotEqual(oldPid, newPid); // the draining worker takes no new upgrade

        (int Code, string Reason)? closed = await ws.WaitClosedAsync("old", Patience);
        Assert.True(closed is not null, "the old WebSocket was never closed\n" + berth.Output);
        Assert.Equal(1001, closed.Value.Code);
        Assert.Contains("reload", closed.Value.Reason, StringComparison.Ordinal);

        await berth.WaitForOutputAsync($"pid {oldPid}: websocket.disconnect 1001", Patience);
        await berth.WaitForOutputAsync($"(pid {oldPid}) exited", Patience);
        Assert.Equal("after", await ws.SendAsync("new", "after"));
        Assert.Contains("closing its 1 open WebSockets with 1001 Going Away", berth.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_websocket_that_closes_by_itself_lets_the_old_worker_exit_before_the_drain_deadline()
    {
        string control = Path.Combine(Directory.CreateTempSubdirectory("berth-ws").FullName, "control.sock");
        await using BerthProcess berth = await FrameworkAppTests.ServeAsync("fastapi_app:app", "", "-w", "1", "--websocket-drain-timeout", "10m", "--control", control);
        await using var ws = WebSocketSession.Start(berth);
        string oldPid = await OpenAsync(ws, "old");

        (int code, string output) = await BerthProcess.RunAsync("reload", "--control", control);
        Assert.True(code == 0, output);
        Assert.Contains("1 old ones finishing their requests", output, StringComparison.Ordinal);
        Assert.DoesNotContain($"(pid {oldPid}) exited", berth.Output, StringComparison.Ordinal); // held by the open WebSocket

        await ws.CloseAsync("old");
        await berth.WaitForOutputAsync($"(pid {oldPid}) exited", Patience);
        Assert.Contains($"pid {oldPid}: websocket.disconnect 1000", berth.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Going Away", berth.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Recycling_by_max_requests_drains_an_open_websocket_the_same_way()
    {
        await using BerthProcess berth = await FrameworkAppTests.ServeAsync("fastapi_app:app", "", "-w", "1", "--max-requests", "3", "--websocket-drain-timeout", "10s");
        using HttpClient http = berth.CreateClient();
        await using var ws = WebSocketSession.Start(berth);
        string oldPid = await OpenAsync(ws, "old");

        for (int i = 0; i < 3; i++)
        {
            Assert.Equal("Hello, World!", await http.GetStringAsync("/hello"));
        }

        // The replacement is ready, and the old worker stops taking requests in the same step.
        await WaitForReadyAsync(berth, workers: 2);
        Assert.Equal("still here", await ws.SendAsync("old", "still here"));
        await ws.OpenAsync("new");
        Assert.NotEqual(oldPid, await ws.SendAsync("new", "pid"));

        (int Code, string Reason)? closed = await ws.WaitClosedAsync("old", Patience);
        Assert.True(closed is not null, "the old WebSocket was never closed\n" + berth.Output);
        Assert.Equal(1001, closed.Value.Code);
        await berth.WaitForOutputAsync($"(pid {oldPid}) exited", Patience);
        Assert.Contains("cause: max-requests", berth.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sigterm_closes_an_open_websocket_with_1001_and_berth_exits_0()
    {
        await using BerthProcess berth = await FrameworkAppTests.ServeAsync("fastapi_app:app", "", "-w", "1");
        await using var ws = WebSocketSession.Start(berth);
        string pid = await OpenAsync(ws, "a");

        Task<(int Code, string Reason)?> closed = ws.WaitClosedAsync("a", Patience);
        int exit = await berth.TerminateAsync(Patience);

        (int Code, string Reason)? result = await closed;
        Assert.True(result is not null, "the WebSocket was never closed\n" + berth.Output);
        Assert.Equal(1001, result.Value.Code);
        Assert.Equal("the server is shutting down", result.Value.Reason);
        Assert.Equal(0, exit);
        Assert.Contains($"pid {pid}: websocket.disconnect 1001", berth.Output, StringComparison.Ordinal);
    }

    /// <summary>Opens a WebSocket to the echo app and returns the pid of the worker it landed on.</summary>
    private static async Task<string> OpenAsync(WebSocketSession ws, string name)
    {
        await ws.OpenAsync(name);
        return await ws.SendAsync(name, "pid");
    }

    /// <summary>SIGHUP, as `berth reload` and systemd's ExecReload send it; returns once the new workers are ready.</summary>
    private static async Task ReloadAsync(BerthProcess berth)
    {
        berth.Signal(1);
        await berth.WaitForOutputAsync("reloaded:", Patience);
    }

    private static async Task WaitForReadyAsync(BerthProcess berth, int workers)
    {
        DateTime until = DateTime.UtcNow + Patience;
        while (berth.Output.Split("ready, capacity").Length <= workers)
        {
            Assert.True(DateTime.UtcNow < until, $"{workers} workers never became ready\n" + berth.Output);
            await Task.Delay(100);
        }
    }
}
