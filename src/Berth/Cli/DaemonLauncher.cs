using System.Diagnostics;
using System.Reflection;

namespace Berth.Cli;

/// <summary>
/// <c>berth serve --daemon</c>, for hosts without systemd (gunicorn's <c>-D</c>): starts the same serve again in
/// its own session with its output appended to a log file, and returns only once it is serving — or with its
/// exit code and the end of its log when it could not start (2: bad config, 3: the app does not import). So a
/// script, or <c>berth deploy</c>, knows from the exit code alone whether the site is up.
/// </summary>
/// <remarks>.NET cannot fork, so the child is a new process: <c>setsid</c> (util-linux, on every Debian and Ubuntu)
/// detaches it from the terminal or ssh session, and <c>sh</c> points its standard streams at the log before
/// it runs, so no pipe to this process outlives it.</remarks>
internal static class DaemonLauncher
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);
    private const int LogTailLines = 40;

    /// <summary>The default pid file: next to the control socket, as both belong to one running server.</summary>
    public static string DefaultPidFile(string controlPath) => Path.Combine(Path.GetDirectoryName(Path.GetFullPath(controlPath))!, "berth.pid");

    public static async Task<int> StartAsync(PidFile pidFile, string logFile, CancellationToken cancellationToken)
    {
        if (pidFile.ReadLiveBerth() is int running)
        {
            Console.Error.WriteLine($"berth serve: berth is already running as pid {running} (pid file {pidFile.Path}); stop it with `berth stop`, or delete the file if pid {running} is not a berth serve.");
            return Master.ExitControlSocket;
        }

        logFile = Path.GetFullPath(logFile);
        Directory.CreateDirectory(Path.GetDirectoryName(logFile)!);
        long logStart = File.Exists(logFile) ? new FileInfo(logFile).Length : 0;

        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        foreach (string word in ChildCommand(Environment.GetCommandLineArgs()[1..], pidFile.Path, logFile))
        {
            start.ArgumentList.Add(word);
        }

        using Process child = Process.Start(start) ?? throw new InvalidOperationException("could not start /bin/sh");
        long deadline = Environment.TickCount64 + (long)StartTimeout.TotalMilliseconds;
        while (Environment.TickCount64 < deadline)
        {
            if (pidFile.ReadLiveBerth() is int pid)
            {
                Console.WriteLine($"berth serve: serving in the background as pid {pid}; pid file {pidFile.Path}, log {logFile}. Stop it with `berth stop`.");
                return 0;
            }

            if (child.HasExited && child.ExitCode != 0)
            {
                Console.Error.Write(LogTail(logFile, logStart));
                Console.Error.WriteLine($"berth serve: the background server exited with {child.ExitCode} before it served (the lines above are the end of {logFile}).");
                return child.ExitCode;
            }

            await Task.Delay(100, cancellationToken);
        }

        Console.Error.Write(LogTail(logFile, logStart));
        Console.Error.WriteLine($"berth serve: the background server (pid {child.Id}) is not serving after {StartTimeout.TotalSeconds:0} s; it is still starting or stuck: see {logFile}.");
        return 1;
    }

    /// <summary>
    /// <c>sh -c 'exec setsid …'</c> running this serve again without <c>--daemon</c> and with the pid file named,
    /// stdin from /dev/null and both outputs appended to the log.
    /// </summary>
    internal static IReadOnlyList<string> ChildCommand(string[] arguments, string pidFile, string logFile)
    {
        var words = new List<string> { "-c", "log=$1; shift; exec setsid \"$@\" </dev/null >>\"$log\" 2>&1", "sh", logFile };
        words.AddRange(Self());
        bool namedPidFile = false;
        foreach (string argument in arguments)
        {
            if (argument is "--daemon" or "-D")
            {
                continue;
            }

            namedPidFile |= argument is "--pid-file" or "--pid" || argument.StartsWith("--pid-file=", StringComparison.Ordinal) || argument.StartsWith("--pid=", StringComparison.Ordinal);
            words.Add(argument);
        }

        if (!namedPidFile)
        {
            words.Add("--pid-file");
            words.Add(pidFile);
        }

        return words;
    }

    /// <summary>How to run this program again: the single-file binary itself, or <c>dotnet berth.dll</c>.</summary>
    private static IEnumerable<string> Self()
    {
        string process = Environment.ProcessPath ?? throw new InvalidOperationException("the path of this program is unknown");
        yield return process;
        if (Path.GetFileNameWithoutExtension(process) == "dotnet")
        {
            // Not Assembly.Location: a single-file publish fails its build on it (IL3000), though this line only runs under dotnet.
            yield return Path.Combine(AppContext.BaseDirectory, Assembly.GetEntryAssembly()!.GetName().Name + ".dll");
        }
    }

    private static string LogTail(string logFile, long from)
    {
        try
        {
            using var stream = new FileStream(logFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            stream.Seek(from, SeekOrigin.Begin);
            string[] lines = new StreamReader(stream).ReadToEnd().Split('\n');
            return string.Join('\n', lines[Math.Max(0, lines.Length - LogTailLines)..]);
        }
        catch (IOException)
        {
            return "";
        }
    }
}
