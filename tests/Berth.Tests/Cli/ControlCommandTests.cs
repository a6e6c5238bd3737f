using System.CommandLine;
using System.Runtime.Versioning;
using System.Text.Json;
using Berth.Cli;
using Berth.Control;
using Berth.Tests.Control;

namespace Berth.Tests.Cli;

/// <summary>The control commands as a user runs them: parsed by the real command line, against a real control socket.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class ControlCommandTests
{
    [Fact]
    public async Task Status_prints_the_table()
    {
        await using var server = RunningControlServer.Start();

        (int exit, string output, string error) = await RunAsync("status", "--control", server.SocketPath);

        Assert.Equal(0, exit);
        Assert.Empty(error);
        Assert.Contains("31003", output, StringComparison.Ordinal);
        Assert.Contains("boot-failure", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_json_is_the_status_object_in_snake_case()
    {
        await using var server = RunningControlServer.Start();

        (int exit, string output, _) = await RunAsync("status", "--json", "--control", server.SocketPath);

        Assert.Equal(0, exit);
        using JsonDocument json = JsonDocument.Parse(output);
        Assert.Equal(4242, json.RootElement.GetProperty("pid").GetInt32());
        Assert.Equal(31001, json.RootElement.GetProperty("apps")[0].GetProperty("workers")[0].GetProperty("pid").GetInt32());
        Assert.Contains("\"last_request\": \"GET /report?year=2025&q=<all>\"", output, StringComparison.Ordinal);
        ServerStatus? back = JsonSerializer.Deserialize(output, ControlJsonContext.Default.ServerStatus);
        Assert.Equal(server.Control.Status.Apps[0].Workers[2], back!.Apps[0].Workers[2]);
    }

    [Fact]
    public async Task Reload_prints_the_message_and_exits_0()
    {
        await using var server = RunningControlServer.Start();

        (int exit, string output, string error) = await RunAsync("reload", "web", "--control", server.SocketPath);

        Assert.Equal(0, exit);
        Assert.Equal(server.Control.ReloadResult.Message + Environment.NewLine, output);
        Assert.Empty(error);
        Assert.Equal(["reload web"], server.Control.Calls);
    }

    [Fact]
    public async Task A_failed_reload_prints_the_traceback_to_stderr_and_exits_1()
    {
        const string traceback = "Traceback (most recent call last):\n  File \"shop/wsgi.py\", line 9\nSyntaxError: invalid syntax";
        await using var server = RunningControlServer.Start(new FakeServerControl { ReloadResult = new ControlResult(false, traceback) });

        (int exit, string output, string error) = await RunAsync("reload", "--control", server.SocketPath);

        Assert.Equal(1, exit);
        Assert.Empty(output);
        Assert.Contains(traceback, error, StringComparison.Ordinal);
        Assert.Equal(["reload *"], server.Control.Calls);
    }

    [Fact]
    public async Task Scale_passes_app_and_number()
    {
        await using var server = RunningControlServer.Start(new FakeServerControl { ScaleResult = new ControlResult(false, "no app named 'wbe'; apps: web, admin") });

        (int exit, _, string error) = await RunAsync("scale", "wbe", "6", "--control", server.SocketPath);

        Assert.Equal(1, exit);
        Assert.Contains("no app named 'wbe'", error, StringComparison.Ordinal);
        Assert.Equal(["scale wbe 6"], server.Control.Calls);
    }

    [Fact]
    public async Task Stop_asks_for_a_graceful_stop()
    {
        await using var server = RunningControlServer.Start();

        (int exit, string output, _) = await RunAsync("stop", "--control", server.SocketPath);

        Assert.Equal(0, exit);
        Assert.Contains("stopping", output, StringComparison.Ordinal);
        await server.Control.Stopped.WaitAsync(RunningControlServer.Timeout);
    }

    [Fact]
    public async Task Top_once_draws_one_frame()
    {
        await using var server = RunningControlServer.Start();

        (int exit, string output, _) = await RunAsync("top", "--once", "--control", server.SocketPath);

        Assert.Equal(0, exit);
        Assert.Contains("31001", output, StringComparison.Ordinal);
        Assert.Contains("timeout", output, StringComparison.Ordinal);
        Assert.Equal(["status"], server.Control.Calls);
    }

    [Theory]
    [InlineData("status")]
    [InlineData("status --json")]
    [InlineData("top --once")]
    [InlineData("reload")]
    [InlineData("scale web 2")]
    [InlineData("stop")]
    public async Task Every_command_exits_1_and_names_the_path_when_no_server_runs(string command)
    {
        string path = Path.Combine(RunningControlServer.NewDirectory(), "control.sock");
        try
        {
            (int exit, string output, string error) = await RunAsync([.. command.Split(' '), "--control", path]);

            Assert.Equal(1, exit);
            Assert.Empty(output);
            Assert.Equal($"no berth serve is running with control socket {path} (start one, or pass --control PATH){Environment.NewLine}", error);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Theory]
    [InlineData("/home/me/berth.sock", true, "/home/me/berth.sock")]
    [InlineData("/home/me/berth.sock", false, "/home/me/berth.sock")]
    [InlineData(null, true, "/run/berth/control.sock")]
    [InlineData("", true, "/run/berth/control.sock")]
    [InlineData(null, false, "/tmp/berth/control.sock")]
    public void The_default_control_path_prefers_the_environment_then_the_system_socket(string? environment, bool systemSocketExists, string expected)
    {
        string path = ControlOption.DefaultPath(
            name => name == "BERTH_CONTROL" ? environment : null,
            candidate => systemSocketExists && candidate == "/run/berth/control.sock");

        Assert.Equal(expected, path);
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int exit = await BerthCommand.Build().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, RunningControlServer.Timeout);
        return (exit, output.ToString(), error.ToString());
    }
}
