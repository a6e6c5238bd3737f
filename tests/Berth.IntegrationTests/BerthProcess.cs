using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Berth.IntegrationTests;

/// <summary>
/// The real berth binary, started as a process on a free loopback port, its output collected, and
/// stopped by pid. Tests talk to it over real sockets.
/// </summary>
public sealed partial class BerthProcess : IAsyncDisposable
{
    public const string SystemPython = "/usr/bin/python3";

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private BerthProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The --control socket given on the command line, if any.</summary>
    public string? ControlPath { get; private init; }

    public int Pid => _process.Id;

    public Uri BaseUri => new($"http://127.0.0.1:{Port}");

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static string RepoRoot { get; } = FindRepoRoot();

    public static string AppsDir => Path.Combine(RepoRoot, "tests", "apps");

    public static string BerthDll => Path.Combine(AppContext.BaseDirectory, "berth.dll");

    /// <summary>Starts berth with <paramref name="args"/> (a <c>-b 127.0.0.1:PORT</c> is added unless <paramref name="bind"/> is false) and waits until it listens.</summary>
    /// <param name="environment">Variables set for this berth only (a test-only knob, say), never for the test process.</param>
    public static async Task<BerthProcess> StartAsync(IEnumerable<string> args, bool bind = true, bool waitForListening = true, int? port = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        int chosen = port ?? FreePort();
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoRoot,
        };
        info.ArgumentList.Add(BerthDll);
        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        foreach (string arg in args.ToArray())
        {
            info.ArgumentList.Add(arg);
        }

        if (bind)
        {
            info.ArgumentList.Add("-b");
            info.ArgumentList.Add($"127.0.0.1:{chosen}");
        }

        // Each server gets its own control socket, so tests (and a berth someone runs by hand) never meet.
        if (info.ArgumentList.Contains("serve") && !info.ArgumentList.Contains("--control"))
        {
            info.ArgumentList.Add("--control");
            info.ArgumentList.Add(Path.Combine(Directory.CreateTempSubdirectory("berth-ctl").FullName, "control.sock"));
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        string[] argv = info.ArgumentList.ToArray();
        int control = Array.IndexOf(argv, "--control");
        var berth = new BerthProcess(process, chosen) { ControlPath = control >= 0 ? argv[control + 1] : null };
        process.OutputDataReceived += (_, e) => berth.Collect(e.Data);
        process.ErrorDataReceived += (_, e) => berth.Collect(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (waitForListening)
        {
            Task exited = process.WaitForExitAsync();
            Task first = await Task.WhenAny(berth._listening.Task, exited, Task.Delay(TimeSpan.FromSeconds(60)));
            if (first != berth._listening.Task)
            {
                await berth.DisposeAsync();
                throw new InvalidOperationException($"berth did not start listening. Output:\n{berth.Output}");
            }
        }

        return berth;
    }

    /// <summary>Runs berth to completion (for commands that exit on their own) and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        await using BerthProcess berth = await StartAsync(args, bind: false, waitForListening: false);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await berth._process.WaitForExitAsync(timeout.Token);
        berth._process.WaitForExit(); // drains the output readers
        return (berth._process.ExitCode, berth.Output);
    }

    public HttpClient CreateClient() => new() { BaseAddress = BaseUri, Timeout = TimeSpan.FromSeconds(30) };

    private void Collect(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (line.Contains("[master] listening on", StringComparison.Ordinal))
        {
            _listening.TrySetResult();
        }
    }

    /// <summary>Sends SIGTERM, as systemd does, and waits for the exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        _ = Kill(_process.Id, 15);
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void Signal(int signal) => _ = Kill(_process.Id, signal);

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public async Task<string> WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (Output.Contains(text, StringComparison.Ordinal))
            {
                return Output;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"'{text}' did not appear in berth's output:\n{Output}");
    }

    /// <summary>Sends raw bytes on a new connection and returns everything the server sends back until it closes or goes quiet.</summary>
    public async Task<string> RawAsync(string request, int quietMs = 1500)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Port);
        NetworkStream stream = client.GetStream();
        try
        {
            await stream.WriteAsync(Encoding.Latin1.GetBytes(request));
        }
        catch (IOException)
        {
            // the server may answer (413, 431) and close before it has read everything we send
        }

        var received = new MemoryStream();
        byte[] buffer = new byte[16 * 1024];
        while (true)
        {
            using var quiet = new CancellationTokenSource(quietMs);
            int read;
            try
            {
                read = await stream.ReadAsync(buffer, quiet.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException)
            {
                break;
            }

            if (read == 0)
            {
                break;
            }

            received.Write(buffer, 0, read);
        }

        return Encoding.Latin1.GetString(received.ToArray());
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _ = Kill(_process.Id, 15);
            if (!_process.WaitForExit(15_000))
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindRepoRoot()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "Berth.slnx")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        return dir ?? throw new InvalidOperationException("cannot find the repository root (Berth.slnx) above the test binaries");
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
