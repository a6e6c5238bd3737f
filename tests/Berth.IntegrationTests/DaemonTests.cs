using System.Diagnostics;

namespace Berth.IntegrationTests;

/// <summary><c>berth serve --daemon</c>: what a host without systemd (and <c>berth deploy</c> on it) relies on.</summary>
public sealed class DaemonTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("berth-daemon").FullName;

    private string PidPath => Path.Combine(_dir, "berth.pid");

    private string Control => Path.Combine(_dir, "control.sock");

    private Task<(int ExitCode, string Output)> DaemonAsync(string module, int port) =>
        BerthProcess.RunAsync("serve", module, "--python", BerthProcess.SystemPython, "--chdir", BerthProcess.AppsDir,
            "-w", "1", "-b", $"127.0.0.1:{port}", "--control", Control, "--daemon");

    [Fact]
    public async Task Returns_once_serving_with_a_pid_file_and_stop_removes_it()
    {
        int port = BerthProcess.FreePort();
        (int code, string output) = await DaemonAsync("plain_wsgi:application", port);

        Assert.True(code == 0, output);
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        Assert.Equal("Hello, World!", await client.GetStringAsync("/hello")); // no wait: it serves when --daemon returns
        int pid = int.Parse(File.ReadAllText(PidPath).Trim());
        Assert.Contains($"pid {pid}", output, StringComparison.Ordinal);
        Assert.False(Process.GetProcessById(pid).HasExited);
        Assert.Contains("[master] listening on", File.ReadAllText(Path.Combine(_dir, "berth.log")), StringComparison.Ordinal);

        (int second, string refused) = await DaemonAsync("plain_wsgi:application", BerthProcess.FreePort());
        Assert.Equal(4, second);
        Assert.Contains($"berth is already running as pid {pid}", refused, StringComparison.Ordinal);

        (int stopped, string stopOutput) = await BerthProcess.RunAsync("stop", "--control", Control);
        Assert.True(stopped == 0, stopOutput);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await Process.GetProcessById(pid).WaitForExitAsync(timeout.Token);
        Assert.False(File.Exists(PidPath));
    }

    [Fact]
    public async Task An_app_that_does_not_import_fails_the_start_with_exit_3_and_its_traceback()
    {
        (int code, string output) = await DaemonAsync("broken_app:application", BerthProcess.FreePort());

        Assert.Equal(3, code);
        Assert.Contains("no_such_module_berth", output, StringComparison.Ordinal); // from the log's tail
        Assert.Contains("exited with 3 before it served", output, StringComparison.Ordinal);
        Assert.False(File.Exists(PidPath));
    }

    public void Dispose()
    {
        // A failed assertion must not leave a server behind.
        if (File.Exists(PidPath) && int.TryParse(File.ReadAllText(PidPath).Trim(), out int pid))
        {
            try
            {
                Process.GetProcessById(pid).Kill(entireProcessTree: true);
            }
            catch (ArgumentException)
            {
                // already gone
            }
        }

        Directory.Delete(_dir, recursive: true);
    }
}
