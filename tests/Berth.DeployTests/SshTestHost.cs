using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using Berth.Config;
using Berth.Deploy;

namespace Berth.DeployTests;

/// <summary>
/// A deploy target made on this machine: Debian's sshd in a network namespace of its own, reached from here
/// over a veth pair (this side 10.231.N.1/30, the host 10.231.N.2/30), with its own /srv and /var/lib/berth
/// (bind mounts of temp directories that only the host's processes see), and an empty /root. So a test deploys over real ssh to
/// what behaves like a separate server, several of them at once, and the machine's own /srv stays untouched.
/// Tests log in as root, as they run as root.
/// </summary>
public sealed partial class SshTestHost : IAsyncDisposable
{
    public const string NamePrefix = "berth-dt-";

    private static readonly SemaphoreSlim Creating = new(1, 1);
    private static readonly TimeSpan SshdStartTimeout = TimeSpan.FromSeconds(20);
    private static int _created;
    private static bool _staleRemoved;

    private readonly StringBuilder _sshdLog = new();
    private Process? _sshd;
    private bool _namespaceAdded;

    private SshTestHost(string name, int subnet, string root)
    {
        Namespace = name;
        Subnet = subnet;
        Root = root;
    }

    /// <summary>The network namespace, <c>berth-dt-PID-K</c>: the test process's pid, so a later run can tell a
    /// dead run's leftovers from a live one's.</summary>
    public string Namespace { get; }

    public int Subnet { get; }

    /// <summary>The host's address, where its sshd listens on port 22.</summary>
    public string Address => $"10.231.{Subnet}.2";

    /// <summary>This machine's address as the host sees it (for a git daemon or a webhook receiver bound to it).</summary>
    public string GatewayAddress => $"10.231.{Subnet}.1";

    /// <summary>The temp directory holding the keys, sshd_config and the host's private directories.</summary>
    public string Root { get; }

    /// <summary>What the host sees as /srv, readable directly from the test.</summary>
    public string SrvPath => Path.Combine(Root, "srv");

    /// <summary>What the host sees as /var/lib/berth.</summary>
    public string VarLibPath => Path.Combine(Root, "varlib");

    /// <summary>What the host sees as /root: empty at start, as on a new server. This machine's own ~/.bashrc
    /// (bash reads it for every ssh command) would otherwise run on the host too, and it may be slow.</summary>
    public string HomePath => Path.Combine(Root, "root");

    public string IdentityFile => Path.Combine(Root, "client_ed25519");

    public string KnownHostsFile => Path.Combine(Root, "known_hosts");

    public DeployHost DeployHost => new("root", Address, DeployHost.DefaultPort);

    /// <summary>The test's client key and a known_hosts of its own, trusting the host on first sight.</summary>
    public SshSettings SshSettings => new()
    {
        IdentityFile = IdentityFile,
        KnownHostsFile = KnownHostsFile,
        StrictHostKeyChecking = "accept-new",
        ConnectTimeout = TimeSpan.FromSeconds(5),
    };

    public int SshdPid => _sshd?.Id ?? throw new InvalidOperationException("sshd is not running");

    /// <summary>What sshd wrote (-e: its log on stderr), for a failing test's message.</summary>
    public string SshdLog
    {
        get
        {
            lock (_sshdLog)
            {
                return _sshdLog.ToString();
            }
        }
    }

    public static async Task<SshTestHost> StartAsync()
    {
        await Creating.WaitAsync();
        SshTestHost? host = null;
        try
        {
            await RemoveStaleAsync();
            int k = Interlocked.Increment(ref _created);
            string name = $"{NamePrefix}{Environment.ProcessId}-{k}";
            string root = Path.Combine(Path.GetTempPath(), name);
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true); // a dead run's, with the same pid
            }

            Directory.CreateDirectory(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            host = new SshTestHost(name, await FreeSubnetAsync(k), root);
            await host.AddNamespaceAsync();
            await host.WriteKeysAndConfigAsync();
            await host.StartSshdAsync();
            return host;
        }
        catch
        {
            if (host is not null)
            {
                await host.DisposeAsync();
            }

            throw;
        }
        finally
        {
            Creating.Release();
        }
    }

    /// <summary>Runs <paramref name="shellCommand"/> with sh inside the host (its network and its mounts, as root),
    /// for assertions about what a deploy left there.</summary>
    public Task<ProcessResult> ExecAsync(string shellCommand, TimeSpan? timeout = null) =>
        HostProcess.RunAsync("nsenter", ["-t", SshdPid.ToString(CultureInfo.InvariantCulture), "-n", "-m", "--", "sh", "-c", shellCommand], timeout);

    /// <summary>Like <see cref="ExecAsync"/>, but a non-zero exit fails the test with the output; returns stdout.</summary>
    public async Task<string> CheckAsync(string shellCommand, TimeSpan? timeout = null)
    {
        ProcessResult result = await ExecAsync(shellCommand, timeout);
        return result.Succeeded
            ? result.Stdout
            : throw new InvalidOperationException($"`{shellCommand}` on {Address} exited with {result.ExitCode}:\n{result.Output}");
    }

    public async ValueTask DisposeAsync()
    {
        if (_namespaceAdded)
        {
            // sshd, its sessions, berth serve --daemon and its workers: everything started inside dies with the
            // host, and with the last of them its mount namespace and bind mounts.
            await KillEverythingInAsync(Namespace);
        }

        if (_sshd is not null)
        {
            // Its sessions held its stderr too; they are gone now, so the log reaches its end.
            using var reaped = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _sshd.WaitForExitAsync(reaped.Token);
            }
            catch (OperationCanceledException)
            {
                // still holding on after SIGKILL: leave it to the kernel, the namespace goes anyway
            }

            _sshd.Dispose();
            _sshd = null;
        }

        if (_namespaceAdded)
        {
            await HostProcess.RunAsync("ip", ["netns", "del", Namespace]);
            // Gone with the namespace, unless a failed start left the pair on this side.
            await HostProcess.RunAsync("ip", ["link", "del", $"bdt{Subnet}h"]);
            _namespaceAdded = false;
        }

        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private async Task AddNamespaceAsync()
    {
        ProcessResult added = await HostProcess.RunAsync("ip", ["netns", "add", Namespace], TimeSpan.FromSeconds(15));
        if (!added.Succeeded)
        {
            throw new InvalidOperationException(
                $"cannot create the network namespace {Namespace} for a test host: `ip netns add` said: {added.Stderr.Trim()}. " +
                "The deploy tests need root with CAP_SYS_ADMIN and CAP_NET_ADMIN (a VM, or a privileged container) and iproute2.");
        }

        _namespaceAdded = true;
        string here = $"bdt{Subnet}h";
        string there = $"bdt{Subnet}n";
        string[][] steps =
        [
            ["link", "add", here, "type", "veth", "peer", "name", there],
            ["link", "set", there, "netns", Namespace],
            ["addr", "add", $"{GatewayAddress}/30", "dev", here],
            ["link", "set", here, "up"],
            ["-n", Namespace, "addr", "add", $"{Address}/30", "dev", there],
            ["-n", Namespace, "link", "set", there, "up"],
            ["-n", Namespace, "link", "set", "lo", "up"],
        ];
        foreach (string[] step in steps)
        {
            await HostProcess.CheckAsync("ip", step, TimeSpan.FromSeconds(15));
        }
    }

    private async Task WriteKeysAndConfigAsync()
    {
        Directory.CreateDirectory(SrvPath);
        Directory.CreateDirectory(VarLibPath);
        Directory.CreateDirectory(HomePath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string hostKey = Path.Combine(Root, "ssh_host_ed25519_key");
        await HostProcess.CheckAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", $"{Namespace} host", "-f", hostKey]);
        await HostProcess.CheckAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "berth deploy tests", "-f", IdentityFile]);
        File.Copy(IdentityFile + ".pub", Path.Combine(Root, "authorized_keys"));
        await File.WriteAllTextAsync(KnownHostsFile, "");
        await File.WriteAllTextAsync(Path.Combine(Root, "sshd_config"), $"""
            # {Namespace}: a test host for berth deploy (tests/Berth.DeployTests/SshTestHost.cs)
            Port 22
            ListenAddress {Address}
            HostKey {hostKey}
            AuthorizedKeysFile {Path.Combine(Root, "authorized_keys")}
            PermitRootLogin prohibit-password
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            StrictModes no
            UsePAM no
            PrintMotd no
            PidFile {Path.Combine(Root, "sshd.pid")}
            Subsystem sftp internal-sftp

            """);
    }

    private async Task StartSshdAsync()
    {
        if (!File.Exists("/usr/sbin/sshd"))
        {
            throw new InvalidOperationException("/usr/sbin/sshd is missing: install Debian's openssh-server (tests/run does).");
        }

        // sshd's privilege separation directory, and the mount points the host's own directories go on.
        foreach (string directory in (string[])["/run/sshd", "/srv", "/var/lib/berth"])
        {
            Directory.CreateDirectory(directory);
        }

        // `ip netns exec` and `unshare` exec, and sh execs sshd: the process started here is sshd itself. The bind
        // mounts are made in a private mount namespace, so only this host's processes see them.
        string script =
            $"mount --bind {Quote(SrvPath)} /srv && mount --bind {Quote(VarLibPath)} /var/lib/berth && mount --bind {Quote(HomePath)} /root && " +
            $"exec /usr/sbin/sshd -D -e -f {Quote(Path.Combine(Root, "sshd_config"))}";
        var start = new ProcessStartInfo("ip")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (string word in (string[])["netns", "exec", Namespace, "unshare", "--mount", "--propagation", "private", "sh", "-c", script])
        {
            start.ArgumentList.Add(word);
        }

        _sshd = Process.Start(start)!;
        _sshd.OutputDataReceived += (_, e) => Log(e.Data);
        _sshd.ErrorDataReceived += (_, e) => Log(e.Data);
        _sshd.BeginOutputReadLine();
        _sshd.BeginErrorReadLine();

        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < SshdStartTimeout)
        {
            if (_sshd.HasExited)
            {
                throw new InvalidOperationException($"sshd for the test host {Address} exited with {_sshd.ExitCode} before listening:\n{SshdLog}");
            }

            if (await AcceptsAsync())
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"sshd for the test host {Address} does not accept connections on port 22 after {SshdStartTimeout.TotalSeconds:0}s:\n{SshdLog}");
    }

    private async Task<bool> AcceptsAsync()
    {
        using var client = new TcpClient();
        using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        try
        {
            await client.ConnectAsync(Address, 22, quick.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    private void Log(string? line)
    {
        if (line is not null)
        {
            lock (_sshdLog)
            {
                _sshdLog.AppendLine(line);
            }
        }
    }

    /// <summary>A 10.231.N.0/30 that no interface here uses; K spreads the search so test processes running at
    /// once rarely try the same one.</summary>
    private static async Task<int> FreeSubnetAsync(int k)
    {
        string used = await HostProcess.CheckAsync("ip", ["-o", "-4", "addr", "show"]);
        int first = (Environment.ProcessId * 7 + k) % 250;
        for (int i = 0; i < 250; i++)
        {
            int subnet = (first + i) % 250 + 1;
            if (!used.Contains($" 10.231.{subnet}.", StringComparison.Ordinal))
            {
                return subnet;
            }
        }

        throw new InvalidOperationException($"no free 10.231.N.0/30 subnet for a test host; `ip netns list` shows what holds them:\n{used}");
    }

    /// <summary>Namespaces of test runs that died before their cleanup (kill -9, a crashed test host): their
    /// sshd and whatever a deploy started there, then the namespace and the temp directory.</summary>
    private static async Task RemoveStaleAsync()
    {
        if (_staleRemoved)
        {
            return;
        }

        _staleRemoved = true;
        ProcessResult list = await HostProcess.RunAsync("ip", ["netns", "list"], TimeSpan.FromSeconds(15));
        foreach (Match stale in StaleName().Matches(list.Stdout))
        {
            int pid = int.Parse(stale.Groups["pid"].Value, CultureInfo.InvariantCulture);
            if (pid == Environment.ProcessId || Directory.Exists($"/proc/{pid}"))
            {
                continue;
            }

            string name = stale.Groups["name"].Value;
            await KillEverythingInAsync(name);
            await HostProcess.RunAsync("ip", ["netns", "del", name]);
            string root = Path.Combine(Path.GetTempPath(), name);
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    private static async Task KillEverythingInAsync(string name)
    {
        for (int round = 0; round < 10; round++)
        {
            ProcessResult pids = await HostProcess.RunAsync("ip", ["netns", "pids", name]);
            int[] alive = pids.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
            if (alive.Length == 0)
            {
                return;
            }

            foreach (int pid in alive)
            {
                _ = Kill(pid, 9);
            }

            await Task.Delay(100);
        }
    }

    private static string Quote(string word) => ShellQuote.Word(word);

    [GeneratedRegex(@"^(?<name>berth-dt-(?<pid>\d+)-\d+)\b", RegexOptions.Multiline)]
    private static partial Regex StaleName();

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
