using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Text.Json;
using Berth.Control;
using Microsoft.Extensions.Logging.Abstractions;

namespace Berth.Tests.Control;

// Berth is Unix-only: the control socket's access control is its file mode.
[UnsupportedOSPlatform("windows")]
public sealed class ControlServerTests
{
    private static CancellationToken Timeout => RunningControlServer.Timeout;

    [Fact]
    public async Task Status_round_trips_every_field()
    {
        await using var server = RunningControlServer.Start();
        await using ControlClient client = await ControlClient.ConnectAsync(server.SocketPath, Timeout);

        ControlResponse response = await client.StatusAsync(Timeout);

        Assert.True(response.Ok);
        ServerStatus sent = server.Control.Status;
        ServerStatus got = Assert.IsType<ServerStatus>(response.Status);
        Assert.Equal(Serialize(sent), Serialize(got));
        Assert.Equal(sent.StartedAt, got.StartedAt);
        Assert.Equal(TimeSpan.FromHours(2), got.StartedAt.Offset);
        WorkerStatus draining = got.Apps[0].Workers[2];
        Assert.Equal(new WorkerStatus(3, 31003, "draining", 4, 4, 9_999_999_999, 1_073_741_824, 200_000), draining);
        Assert.Equal(3_725.5, got.Apps[0].Workers[0].AgeSeconds);
        Assert.Equal("GET /report?year=2025&q=<all>", got.Apps[0].RecentExits[0].LastRequest);
        Assert.Null(got.Apps[0].RecentExits[1].LastRequest);
        Assert.Equal(sent.Apps[1].FailedReason, got.Apps[1].FailedReason);
        Assert.Empty(got.Apps[1].Workers);
    }

    [Fact]
    public async Task Status_on_the_wire_is_one_snake_case_line()
    {
        await using var server = RunningControlServer.Start();
        await using RunningControlServer.RawConnection raw = await server.ConnectRawAsync();

        string line = await raw.AskAsync("{\"command\":\"status\"}\n");

        using JsonDocument json = JsonDocument.Parse(line);
        JsonElement root = json.RootElement;
        Assert.True(root.GetProperty("ok").GetBoolean());
        Assert.False(root.TryGetProperty("error", out _));
        JsonElement web = root.GetProperty("status").GetProperty("apps")[0];
        Assert.Equal(3, web.GetProperty("desired_workers").GetInt32());
        Assert.Equal(52_428_800, web.GetProperty("workers")[0].GetProperty("rss_bytes").GetInt64());
        Assert.Equal("timeout", web.GetProperty("recent_exits")[0].GetProperty("cause").GetString());
        Assert.Equal(JsonValueKind.Null, web.GetProperty("failed_reason").ValueKind);
    }

    [Fact]
    public async Task Certs_carries_each_acme_sites_next_renewal_and_last_error_in_snake_case()
    {
        await using var server = RunningControlServer.Start();
        await using RunningControlServer.RawConnection raw = await server.ConnectRawAsync();

        string line = await raw.AskAsync("{\"command\":\"certs\"}\n");

        using JsonDocument json = JsonDocument.Parse(line);
        JsonElement main = json.RootElement.GetProperty("certificates")[0];
        Assert.Equal("main", main.GetProperty("site").GetString());
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero), main.GetProperty("next_renewal").GetDateTimeOffset());
        Assert.Equal(JsonValueKind.Null, main.GetProperty("last_error").ValueKind);
        Assert.Contains("certs", server.Control.Calls);
    }

    [Fact]
    public async Task Reload_carries_the_app_and_the_message()
    {
        await using var server = RunningControlServer.Start();
        await using ControlClient client = await ControlClient.ConnectAsync(server.SocketPath, Timeout);

        ControlResponse one = await client.ReloadAsync("web", Timeout);
        ControlResponse all = await client.ReloadAsync(null, Timeout);

        Assert.True(one.Ok);
        Assert.Equal(server.Control.ReloadResult.Message, one.Message);
        Assert.True(all.Ok);
        Assert.Equal(["reload web", "reload *"], server.Control.Calls);
    }

    [Fact]
    public async Task A_failed_reload_carries_the_whole_traceback()
    {
        const string traceback = "app web did not boot; the old workers keep serving:\nTraceback (most recent call last):\n  File \"shop/wsgi.py\", line 9, in <module>\n    from .views import [broken]\nSyntaxError: invalid syntax\n";
        await using var server = RunningControlServer.Start(new FakeServerControl { ReloadResult = new ControlResult(false, traceback) });
        await using ControlClient client = await ControlClient.ConnectAsync(server.SocketPath, Timeout);

        ControlResponse response = await client.ReloadAsync("web", Timeout);
        ControlResponse after = await client.StatusAsync(Timeout);

        Assert.False(response.Ok);
        Assert.Equal(traceback, response.Error);
        Assert.Null(response.Message);
        Assert.True(after.Ok);
    }

    [Fact]
    public async Task Scale_passes_app_and_workers()
    {
        await using var server = RunningControlServer.Start();
        await using ControlClient client = await ControlClient.ConnectAsync(server.SocketPath, Timeout);

        ControlResponse response = await client.ScaleAsync("web", 4, Timeout);

        Assert.True(response.Ok);
        Assert.Equal("web now runs 4 workers", response.Message);
        Assert.Equal(["scale web 4"], server.Control.Calls);
    }

    [Fact]
    public async Task Stop_is_answered_then_done()
    {
        await using var server = RunningControlServer.Start();
        await using ControlClient client = await ControlClient.ConnectAsync(server.SocketPath, Timeout);

        ControlResponse response = await client.StopAsync(Timeout);

        Assert.True(response.Ok);
        Assert.Contains("stopping", response.Message, StringComparison.Ordinal);
        await server.Control.Stopped.WaitAsync(Timeout);
        Assert.Equal(["stop"], server.Control.Calls);
    }

    [Theory]
    [InlineData("this is not json\n", "malformed request")]
    [InlineData("{\"command\":\"status\"\n", "malformed request")]
    [InlineData("[1,2,3]\n", "malformed request")]
    [InlineData("null\n", "JSON null")]
    [InlineData("{\"command\":\"restart\"}\n", "unknown command \"restart\"")]
    [InlineData("{\"app\":\"web\"}\n", "no \"command\"")]
    [InlineData("{\"command\":\"scale\",\"app\":\"web\"}\n", "scale needs \"app\" and \"workers\"")]
    [InlineData("{\"command\":\"scale\",\"app\":\"web\",\"workers\":\"four\"}\n", "malformed request")]
    [InlineData("{\"command\":\"scale\",\"app\":\"web\",\"workers\":-1}\n", "0 or more")]
    public async Task A_bad_request_gets_an_error_and_the_connection_keeps_serving(string request, string expected)
    {
        await using var server = RunningControlServer.Start();
        await using RunningControlServer.RawConnection raw = await server.ConnectRawAsync();

        ControlResponse bad = Parse(await raw.AskAsync(request));
        ControlResponse good = Parse(await raw.AskAsync("{\"command\":\"status\"}\n"));

        Assert.False(bad.Ok);
        Assert.Contains(expected, bad.Error, StringComparison.Ordinal);
        Assert.True(good.Ok);
        Assert.NotNull(good.Status);
        Assert.DoesNotContain(server.Control.Calls, c => c.StartsWith("scale", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_error_names_what_is_accepted()
    {
        await using var server = RunningControlServer.Start();
        await using RunningControlServer.RawConnection raw = await server.ConnectRawAsync();

        ControlResponse bad = Parse(await raw.AskAsync("{\"command\":\"restart\"}\n"));

        Assert.Contains(ControlRequest.Accepted, bad.Error, StringComparison.Ordinal);
        foreach (string command in new[] { "status", "reload", "scale", "stop" })
        {
            Assert.Contains($"\"command\":\"{command}\"", bad.Error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Several_requests_in_one_write_are_answered_in_order_and_blank_lines_skipped()
    {
        await using var server = RunningControlServer.Start();
        await using RunningControlServer.RawConnection raw = await server.ConnectRawAsync();

        ControlResponse first = Parse(await raw.AskAsync("{\"command\":\"reload\",\"app\":\"web\"}\r\n\r\n{\"command\":\"scale\",\"app\":\"web\",\"workers\":2}\n"));
        ControlResponse second = Parse(await raw.ReadLineAsync() ?? "");

        Assert.Equal(server.Control.ReloadResult.Message, first.Message);
        Assert.Equal(server.Control.ScaleResult.Message, second.Message);
        Assert.Equal(["reload web", "scale web 2"], server.Control.Calls);
    }

    [Fact]
    public async Task A_request_closed_without_newline_still_gets_its_answer()
    {
        await using var server = RunningControlServer.Start();
        await using RunningControlServer.RawConnection raw = await server.ConnectRawAsync();

        await raw.WriteAsync("{\"command\":\"scale\",\"app\":\"web\",\"workers\":5}");
        await raw.CloseWriteAsync();

        Assert.True(Parse(await raw.ReadLineAsync() ?? "").Ok);
        Assert.Equal(["scale web 5"], server.Control.Calls);
    }

    [Fact]
    public async Task An_exception_in_the_master_is_an_error_answer_not_a_crash()
    {
        var control = new FakeServerControl { ScaleThrows = new InvalidOperationException("no app named 'wbe'") };
        await using var server = RunningControlServer.Start(control);
        await using ControlClient client = await ControlClient.ConnectAsync(server.SocketPath, Timeout);

        ControlResponse failed = await client.ScaleAsync("wbe", 2, Timeout);
        ControlResponse after = await client.StatusAsync(Timeout);

        Assert.False(failed.Ok);
        Assert.Contains("no app named 'wbe'", failed.Error, StringComparison.Ordinal);
        Assert.True(after.Ok);
    }

    [Fact]
    public async Task A_client_that_vanishes_does_not_stop_the_server()
    {
        await using var server = RunningControlServer.Start();
        RunningControlServer.RawConnection raw = await server.ConnectRawAsync();
        await raw.DisposeAsync();

        await using ControlClient client = await ControlClient.ConnectAsync(server.SocketPath, Timeout);
        Assert.True((await client.StatusAsync(Timeout)).Ok);
    }

    [Fact]
    public async Task The_socket_is_mode_0600()
    {
        await using var server = RunningControlServer.Start();

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(server.SocketPath));
    }

    [Fact]
    public async Task The_socket_file_is_removed_on_stop()
    {
        string directory = RunningControlServer.NewDirectory();
        string path = ControlServer.DefaultPath(directory);
        await using (var server = RunningControlServer.Start(directory: directory))
        {
            Assert.True(File.Exists(path));
            await server.StopAsync();
            Assert.False(File.Exists(path));
        }
    }

    [Fact]
    public async Task A_stale_socket_file_is_replaced()
    {
        string directory = RunningControlServer.NewDirectory();
        string path = ControlServer.DefaultPath(directory);
        LeaveStaleSocket(path);
        Assert.True(File.Exists(path));

        await using var server = RunningControlServer.Start(directory: directory);
        await using ControlClient client = await ControlClient.ConnectAsync(path, Timeout);

        Assert.True((await client.StatusAsync(Timeout)).Ok);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public async Task A_second_server_on_a_live_socket_refuses_to_start()
    {
        await using var first = RunningControlServer.Start();
        var second = new ControlServer(first.SocketPath, new FakeServerControl(), NullLogger.Instance);

        var e = Assert.Throws<ControlSocketException>(second.Listen);

        Assert.Contains("another berth serve is already running", e.Message, StringComparison.Ordinal);
        Assert.Contains(first.SocketPath, e.Message, StringComparison.Ordinal);
        await using ControlClient client = await ControlClient.ConnectAsync(first.SocketPath, Timeout);
        Assert.True((await client.StatusAsync(Timeout)).Ok);
    }

    [Fact]
    public void A_regular_file_in_the_way_is_not_deleted()
    {
        string directory = RunningControlServer.NewDirectory();
        try
        {
            string path = ControlServer.DefaultPath(directory);
            File.WriteAllText(path, "precious");
            var server = new ControlServer(path, new FakeServerControl(), NullLogger.Instance);

            var e = Assert.Throws<ControlSocketException>(server.Listen);

            Assert.Contains("is not a socket", e.Message, StringComparison.Ordinal);
            Assert.Equal("precious", File.ReadAllText(path));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task The_client_names_the_path_when_no_server_runs()
    {
        string directory = RunningControlServer.NewDirectory();
        try
        {
            string missing = Path.Combine(directory, "control.sock");
            string stale = Path.Combine(directory, "stale.sock");
            LeaveStaleSocket(stale);

            var notThere = await Assert.ThrowsAsync<ControlConnectionException>(() => ControlClient.ConnectAsync(missing, Timeout));
            var refused = await Assert.ThrowsAsync<ControlConnectionException>(() => ControlClient.ConnectAsync(stale, Timeout));

            Assert.Equal($"no berth serve is running with control socket {missing} (start one, or pass --control PATH)", notThere.Message);
            Assert.Equal($"no berth serve is running with control socket {stale} (start one, or pass --control PATH)", refused.Message);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void The_default_path_is_in_the_runtime_directory()
    {
        Assert.Equal("/run/berth/control.sock", ControlServer.DefaultPath("/run/berth"));
    }

    /// <summary>What a SIGKILLed berth leaves: a socket file nobody listens on. .NET unlinks the file when a
    /// bound socket is disposed, so the file is moved aside for the dispose and put back.</summary>
    internal static void LeaveStaleSocket(string path)
    {
        using (var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            socket.Bind(new UnixDomainSocketEndPoint(path));
            File.Move(path, path + ".aside");
        }

        File.Move(path + ".aside", path);
    }

    private static string Serialize(ServerStatus status) => JsonSerializer.Serialize(status, ControlJsonContext.Default.ServerStatus);

    private static ControlResponse Parse(string line) =>
        JsonSerializer.Deserialize(line, ControlJsonContext.Default.ControlResponse) ?? throw new InvalidDataException(line);
}
