using System.Diagnostics;
using System.Text;

namespace Berth.DeployTests;

/// <summary>How a local command ended: its exit code and both outputs.</summary>
public sealed record ProcessResult(int ExitCode, string Stdout, string Stderr)
{
    public bool Succeeded => ExitCode == 0;

    public string Output => Stdout + Stderr;
}

/// <summary>
/// Runs a command on this machine (ip, ssh-keygen, git, nsenter) to its end with a deadline, so a fixture step
/// that cannot work here fails with the command and its output instead of hanging the test run.
/// </summary>
public static class HostProcess
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    public static async Task<ProcessResult> RunAsync(
        string file, IEnumerable<string> arguments, TimeSpan? timeout = null, string? workingDirectory = null, string? stdin = null)
    {
        var start = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        using var deadline = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException(
                $"`{Describe(file, start.ArgumentList)}` did not finish within {(timeout ?? DefaultTimeout).TotalSeconds:0}s. Output:\n{await stdout}{await stderr}");
        }

        return new ProcessResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs the command and returns its stdout; a non-zero exit throws with the command and its output.</summary>
    public static async Task<string> CheckAsync(string file, IEnumerable<string> arguments, TimeSpan? timeout = null, string? workingDirectory = null, string? stdin = null)
    {
        string[] words = arguments.ToArray();
        ProcessResult result = await RunAsync(file, words, timeout, workingDirectory, stdin);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"`{Describe(file, words)}` exited with {result.ExitCode}:\n{result.Output}");
        }

        return result.Stdout;
    }

    private static string Describe(string file, IEnumerable<string> arguments)
    {
        var line = new StringBuilder(file);
        foreach (string argument in arguments)
        {
            line.Append(' ').Append(Berth.Deploy.ShellQuote.Word(argument));
        }

        return line.ToString();
    }
}
