namespace Berth.IntegrationTests;

/// <summary>
/// Issue 4, item 4: a WebSocket's idle timeout is the user's choice, not a silent cut. With
/// websocket_idle_timeout set, a socket that keeps talking stays open past it, and one that falls quiet
/// is closed with 1001 and a reason naming the setting, while the app hears websocket.disconnect 1001.
/// Without it (the default) a quiet socket stays open. Real berth, Debian's FastAPI and python3-websockets.
/// </summary>
public sealed class WebSocketIdleTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(40);

    [Fact]
    public async Task A_socket_that_keeps_talking_outlives_the_idle_timeout_and_a_quiet_one_is_closed_with_1001()
    {
        await using BerthProcess berth = await FrameworkAppTests.ServeAsync("fastapi_app:app", "", "-w", "1", "--websocket-idle-timeout", "3s");
        await using var ws = WebSocketSession.Start(berth);
        await ws.OpenAsync("chatty");
        string pid = await ws.SendAsync("chatty", "pid");

        // Twice the timeout of steady traffic: every message moves the deadline.
        for (int i = 0; i < 12; i++)
        {
            Assert.Equal($"m{i}", await ws.SendAsync("chatty", $"m{i}"));
            await Task.Delay(500);
        }

        (int Code, string Reason)? closed = await ws.WaitClosedAsync("chatty", Patience);
        Assert.True(closed is not null, "the quiet WebSocket was never closed\n" + berth.Output);
        Assert.Equal(1001, closed.Value.Code);
        Assert.Contains("websocket_idle_timeout", closed.Value.Reason, StringComparison.Ordinal);
        await berth.WaitForOutputAsync($"pid {pid}: websocket.disconnect 1001", Patience);
    }

    [Fact]
    public async Task Without_an_idle_timeout_a_quiet_socket_stays_open()
    {
        await using BerthProcess berth = await FrameworkAppTests.ServeAsync("fastapi_app:app", "", "-w", "1", "--websocket-ping-interval", "1s");
        await using var ws = WebSocketSession.Start(berth);
        await ws.OpenAsync("quiet");
        Assert.Equal("hello", await ws.SendAsync("quiet", "hello"));

        // Several ping intervals of silence: the client answers the pings, so nothing closes the socket.
        Assert.Null(await ws.WaitClosedAsync("quiet", TimeSpan.FromSeconds(5)));
        Assert.Equal("still here", await ws.SendAsync("quiet", "still here"));
    }
}
