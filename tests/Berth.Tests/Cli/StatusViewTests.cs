using Berth.Cli;
using Berth.Control;
using Berth.Tests.Control;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Berth.Tests.Cli;

public sealed class StatusViewTests
{
    private static readonly ServerStatus Status = FakeServerControl.SampleStatus();
    private static readonly DateTimeOffset Now = Status.StartedAt.AddHours(2).AddMinutes(3);

    [Fact]
    public void Shows_every_worker_pid_and_every_exit_cause()
    {
        string text = RenderToString(StatusView.Render(Status, Now));

        foreach (string pid in new[] { "31001", "31002", "31003", "30999", "30998", "30500" })
        {
            Assert.Contains(pid, text, StringComparison.Ordinal);
        }

        foreach (string cause in new[] { "timeout", "memory", "boot-failure" })
        {
            Assert.Contains(cause, text, StringComparison.Ordinal);
        }

        Assert.Contains("killed by signal 9", text, StringComparison.Ordinal);
        Assert.Contains("GET /report?year=2025&q=<all>", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Shows_app_state_queue_load_memory_and_age()
    {
        string text = RenderToString(StatusView.Render(Status, Now));

        Assert.Contains("pid 4242", text, StringComparison.Ordinal);
        Assert.Contains("up 2h 3m", text, StringComparison.Ordinal);
        Assert.Contains("running · 3 of 3 workers · 7 waiting in queue", text, StringComparison.Ordinal);
        Assert.Contains("1/4", text, StringComparison.Ordinal);
        Assert.Contains("123,456", text, StringComparison.Ordinal);
        Assert.Contains("50.0 MiB", text, StringComparison.Ordinal);
        Assert.Contains("1h 2m", text, StringComparison.Ordinal);      // 3725.5 s
        Assert.Contains("2d 7h", text, StringComparison.Ordinal);      // 200000 s
    }

    [Fact]
    public void Shows_a_failed_app_with_its_traceback_brackets_and_all()
    {
        string text = RenderToString(StatusView.Render(Status, Now));

        Assert.Contains("admin (admin:app)  failed", text, StringComparison.Ordinal);
        Assert.Contains("import [missing]", text, StringComparison.Ordinal);
        Assert.Contains("ModuleNotFoundError: No module named 'missing'", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Renders_a_server_without_apps()
    {
        string text = RenderToString(StatusView.Render(Status with { Apps = [] }, Now));

        Assert.Contains("no apps configured", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(59.9, "59s")]
    [InlineData(60, "1m 0s")]
    [InlineData(725, "12m 5s")]
    [InlineData(3_600, "1h 0m")]
    [InlineData(86_399, "23h 59m")]
    [InlineData(90_000, "1d 1h")]
    [InlineData(-5, "0s")]
    public void Durations_read_like_ps_etime(double seconds, string expected)
    {
        Assert.Equal(expected, StatusView.Duration(TimeSpan.FromSeconds(seconds)));
    }

    [Theory]
    [InlineData(0, "-")]
    [InlineData(1_048_576, "1.0 MiB")]
    [InlineData(52_428_800, "50.0 MiB")]
    [InlineData(1_610_612_736, "1536.0 MiB")]
    public void Memory_is_in_mebibytes(long bytes, string expected)
    {
        Assert.Equal(expected, StatusView.Mebibytes(bytes));
    }

    internal static string RenderToString(IRenderable renderable)
    {
        using var writer = new StringWriter();
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 200;
        console.Write(renderable);
        return writer.ToString();
    }
}
