using System.Diagnostics;
using Berth.Config;
using Berth.Deploy;
using Berth.Deploy.Ssh;

namespace Berth.DeployTests;

/// <summary>SshHost against a real sshd in a network namespace: what the deploy engine relies on when it runs
/// commands and uploads files on a server.</summary>
public sealed class SshHostTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private SshTestHost _host = null!;

    public async Task InitializeAsync() => _host = await SshTestHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static CancellationToken Deadline() => new CancellationTokenSource(Patience).Token;

    [Fact]
    public async Task A_command_returns_its_exit_code_and_output_whether_it_succeeds_or_not()
    {
        await using SshHost ssh = await SshHost.ConnectAsync(_host.DeployHost, _host.SshSettings, Deadline());

        RemoteResult ok = await ssh.RunAsync(RemoteCommand.Of("uname", "-n"), null, Deadline());
        RemoteResult failed = await ssh.RunAsync(RemoteCommand.Of("sh", "-c", "echo nope >&2; exit 3"), null, Deadline());

        Assert.Equal(0, ok.ExitCode);
        Assert.NotEmpty(ok.Stdout.Trim());
        Assert.Equal(3, failed.ExitCode);
        Assert.False(failed.Succeeded);
        Assert.Equal("nope\n", failed.Stderr);
    }

    [Fact]
    public async Task Output_lines_reach_the_caller_while_the_command_still_runs_and_in_order()
    {
        await using SshHost ssh = await SshHost.ConnectAsync(_host.DeployHost, _host.SshSettings, Deadline());
        // The command waits for a file that the test creates only once it has seen the first line, so the
        // command can end only if its first line arrived before its end.
        string flag = Path.Combine(_host.Root, "go-on");
        var lines = new List<string>();
        var command = RemoteCommand.Of("sh", "-c",
            "echo out1; echo err1 >&2; while [ ! -e \"$1\" ]; do sleep 0.05; done; echo out2; echo out3; echo err2 >&2", "sh", flag);

        RemoteResult result = await ssh.RunAsync(command, line =>
        {
            lines.Add(line);
            if (line == "out1")
            {
                File.WriteAllText(flag, "");
            }
        }, Deadline());

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("out1\nout2\nout3\n", result.Stdout);
        Assert.Equal("err1\nerr2\n", result.Stderr);
        Assert.Equal(["out1", "out2", "out3"], lines.Where(l => l.StartsWith("out", StringComparison.Ordinal)));
        Assert.Equal(["err1", "err2"], lines.Where(l => l.StartsWith("err", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Stdin_is_delivered_whole_and_then_closed()
    {
        await using SshHost ssh = await SshHost.ConnectAsync(_host.DeployHost, _host.SshSettings, Deadline());
        const string text = "DJANGO_SECRET_KEY=s3cr3t with spaces\nNAME=Zoë 'quoted' \"too\" $HOME\n";

        RemoteResult result = await ssh.RunAsync(new RemoteCommand(["sh", "-c", "cat > /srv/in.env"], text), null, Deadline());

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(text, await File.ReadAllTextAsync(Path.Combine(_host.SrvPath, "in.env")));
    }

    [Fact]
    public async Task Arguments_with_spaces_quotes_and_dollars_arrive_as_they_were_given()
    {
        await using SshHost ssh = await SshHost.ConnectAsync(_host.DeployHost, _host.SshSettings, Deadline());
        string[] words = ["two words", "it's", "\"double\"", "$HOME", "`id`", "$(id)", "*", "a;b", "back\\slash", "", "tab\there", "ünï"];

        RemoteResult result = await ssh.RunAsync(RemoteCommand.Of(["printf", "[%s]\\n", .. words]), null, Deadline());

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(string.Concat(words.Select(w => $"[{w}]\n")), result.Stdout);
    }

    [Fact]
    public async Task An_upload_of_20_MB_replaces_the_file_whole_with_the_mode_asked_and_leaves_no_temporary_file()
    {
        await using SshHost ssh = await SshHost.ConnectAsync(_host.DeployHost, _host.SshSettings, Deadline());
        await ssh.RunAsync(RemoteCommand.Of("mkdir", "-p", "/srv/app/bin"), null, Deadline());
        string old = Path.Combine(_host.Root, "old.bin");
        await File.WriteAllTextAsync(old, "the previous berth");
        await ssh.UploadAsync(old, "/srv/app/bin/berth", Convert.ToInt32("600", 8), Deadline());
        (string local, byte[] content) = await RandomFileAsync(20);

        await ssh.UploadAsync(local, "/srv/app/bin/berth", Convert.ToInt32("750", 8), Deadline());

        string uploaded = Path.Combine(_host.SrvPath, "app", "bin", "berth");
        Assert.Equal(content, await File.ReadAllBytesAsync(uploaded));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute,
            File.GetUnixFileMode(uploaded));
        Assert.Equal(["berth"], Directory.GetFiles(Path.Combine(_host.SrvPath, "app", "bin")).Select(f => Path.GetFileName(f)));
    }

    [Fact]
    public async Task An_upload_cut_short_never_leaves_a_partial_file_under_either_name()
    {
        await using SshHost ssh = await SshHost.ConnectAsync(_host.DeployHost, _host.SshSettings, Deadline());
        (string local, byte[] content) = await RandomFileAsync(50);
        string directory = Path.Combine(_host.SrvPath, "app", "bin");
        Directory.CreateDirectory(directory);
        using var cut = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        try
        {
            await ssh.UploadAsync(local, "/srv/app/bin/berth", Convert.ToInt32("755", 8), cut.Token);
        }
        catch (OperationCanceledException)
        {
        }

        // Whether the cut came in time or not: no temporary file stays, and the target is whole or absent.
        await WaitUntilAsync(() => Task.FromResult(Directory.GetFiles(directory, ".berth.tmp.*").Length == 0), "the temporary file to go");
        string target = Path.Combine(directory, "berth");
        Assert.True(!File.Exists(target) || (await File.ReadAllBytesAsync(target)).AsSpan().SequenceEqual(content));
    }

    [Fact]
    public async Task Commands_run_side_by_side_on_one_connection()
    {
        await using SshHost ssh = await SshHost.ConnectAsync(_host.DeployHost, _host.SshSettings, Deadline());

        RemoteResult[] results = await Task.WhenAll(Enumerable.Range(1, 8).Select(
            i => ssh.RunAsync(RemoteCommand.Of("sh", "-c", $"echo {i}; echo {i} >&2"), null, Deadline())));

        Assert.Equal(Enumerable.Range(1, 8).Select(i => $"{i}\n"), results.Select(r => r.Stdout));
        Assert.Equal(Enumerable.Range(1, 8).Select(i => $"{i}\n"), results.Select(r => r.Stderr));
    }

    [Fact]
    public async Task An_upload_into_a_missing_directory_names_the_directory()
    {
        await using SshHost ssh = await SshHost.ConnectAsync(_host.DeployHost, _host.SshSettings, Deadline());
        string local = Path.Combine(_host.Root, "small.txt");
        await File.WriteAllTextAsync(local, "x");

        var error = await Assert.ThrowsAsync<RemoteHostException>(() => ssh.UploadAsync(local, "/srv/nowhere/file", Convert.ToInt32("644", 8), Deadline()));

        Assert.Contains("/srv/nowhere", error.Message);
        Assert.Contains(_host.DeployHost.Label, error.Message);
    }

    [Fact]
    public async Task Commands_reuse_the_one_master_connection()
    {
        await using SshHost ssh = await SshHost.ConnectAsync(_host.DeployHost, _host.SshSettings, Deadline());
        string before = await MasterStatusAsync(ssh);

        await ssh.RunAsync(RemoteCommand.Of("true"), null, Deadline());
        await ssh.RunAsync(RemoteCommand.Of("true"), null, Deadline());

        Assert.True(File.Exists(ssh.ControlPath), ssh.ControlPath);
        Assert.StartsWith("Master running (pid=", before);
        Assert.Equal(before, await MasterStatusAsync(ssh));
        // Every command went over it: sshd logged one login only.
        Assert.Single(_host.SshdLog.Split('\n'), l => l.Contains("Accepted publickey", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Disposing_closes_the_master_and_removes_its_socket()
    {
        SshHost ssh = await SshHost.ConnectAsync(_host.DeployHost, _host.SshSettings, Deadline());
        string socketDirectory = Path.GetDirectoryName(ssh.ControlPath)!;

        await ssh.DisposeAsync();

        Assert.False(Directory.Exists(socketDirectory));
        ProcessResult check = await HostProcess.RunAsync("ssh", ["-o", $"ControlPath={ssh.ControlPath}", "-O", "check", _host.Address]);
        Assert.NotEqual(0, check.ExitCode);
    }

    [Fact]
    public async Task A_closed_port_is_a_RemoteHostException_naming_the_host_and_the_fix()
    {
        var closed = new DeployHost("root", _host.Address, 2222);

        var error = await Assert.ThrowsAsync<RemoteHostException>(() => SshHost.ConnectAsync(closed, _host.SshSettings, Deadline()));

        Assert.Contains($"root@{_host.Address}:2222", error.Message);
        Assert.Contains("Connection refused", error.Message);
        Assert.Contains("nothing listens on port 2222", error.Message);
        Assert.Contains($"ssh -i {_host.IdentityFile} -p 2222 root@{_host.Address} true", error.Message);
    }

    [Fact]
    public async Task A_key_the_host_does_not_know_is_named_with_Permission_denied()
    {
        string otherKey = Path.Combine(_host.Root, "stranger_ed25519");
        await HostProcess.CheckAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", otherKey]);
        SshSettings settings = _host.SshSettings with { IdentityFile = otherKey };

        var error = await Assert.ThrowsAsync<RemoteHostException>(() => SshHost.ConnectAsync(_host.DeployHost, settings, Deadline()));

        Assert.Contains($"root@{_host.Address}", error.Message);
        Assert.Contains("Permission denied (publickey", error.Message);
        Assert.Contains(otherKey, error.Message);
        Assert.Contains("authorized_keys", error.Message);
    }

    [Fact]
    public async Task A_missing_identity_file_is_named_as_such()
    {
        string missing = Path.Combine(_host.Root, "no_such_key");

        var error = await Assert.ThrowsAsync<RemoteHostException>(
            () => SshHost.ConnectAsync(_host.DeployHost, _host.SshSettings with { IdentityFile = missing }, Deadline()));

        Assert.Contains($"identity_file: {missing} cannot be read", error.Message);
    }

    [Fact]
    public async Task With_strict_checking_an_unknown_host_is_refused_with_how_to_add_its_key()
    {
        SshSettings strict = _host.SshSettings with { StrictHostKeyChecking = "yes" };

        var error = await Assert.ThrowsAsync<RemoteHostException>(() => SshHost.ConnectAsync(_host.DeployHost, strict, Deadline()));

        Assert.Contains("Host key verification failed", error.Message);
        Assert.Contains($"ssh-keyscan -p 22 {_host.Address} >> {_host.KnownHostsFile}", error.Message);
    }

    [Fact]
    public async Task A_host_whose_key_changed_is_refused_with_the_known_hosts_line_to_remove()
    {
        await using (await SshHost.ConnectAsync(_host.DeployHost, _host.SshSettings, Deadline()))
        {
            // accept-new remembered the host's key on first sight.
        }

        Assert.NotEmpty(await File.ReadAllTextAsync(_host.KnownHostsFile));
        string impostor = Path.Combine(_host.Root, "impostor_ed25519");
        await HostProcess.CheckAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", impostor]);
        string impostorKey = (await File.ReadAllTextAsync(impostor + ".pub")).Split(' ')[1];
        await File.WriteAllTextAsync(_host.KnownHostsFile, $"{_host.Address} ssh-ed25519 {impostorKey}\n");

        var error = await Assert.ThrowsAsync<RemoteHostException>(() => SshHost.ConnectAsync(_host.DeployHost, _host.SshSettings, Deadline()));

        Assert.Contains("Host key verification failed", error.Message);
        Assert.Contains($"ssh-keygen -f {_host.KnownHostsFile} -R {_host.Address}", error.Message);
    }

    [Fact]
    public async Task Cancelling_a_command_ends_it_on_the_host_too()
    {
        await using SshHost ssh = await SshHost.ConnectAsync(_host.DeployHost, _host.SshSettings, Deadline());
        using var cancel = new CancellationTokenSource(Patience);
        var command = RemoteCommand.Of("sh", "-c", "sleep 3001 & echo started; sleep 3002; echo never");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ssh.RunAsync(command, line =>
        {
            if (line == "started")
            {
                cancel.Cancel();
            }
        }, cancel.Token));

        // Both the command and the child it left in the background are gone (SIGTERM to its process group).
        await WaitUntilAsync(async () => !(await _host.ExecAsync("pgrep -f 'sleep 300[12]'")).Succeeded, "the remote sleeps to end");
        RemoteResult after = await ssh.RunAsync(RemoteCommand.Of("echo", "still connected"), null, Deadline());
        Assert.Equal("still connected\n", after.Stdout);
    }

    [Fact]
    public async Task What_a_command_leaves_running_on_purpose_outlives_it()
    {
        await using SshHost ssh = await SshHost.ConnectAsync(_host.DeployHost, _host.SshSettings, Deadline());

        // As berth serve --daemon does: a process left in the background with its output elsewhere.
        RemoteResult started = await ssh.RunAsync(RemoteCommand.Of("sh", "-c", "sleep 3005 </dev/null >/dev/null 2>&1 & echo $!"), null, Deadline());
        await ssh.RunAsync(RemoteCommand.Of("true"), null, Deadline());

        Assert.Equal(0, started.ExitCode);
        Assert.True((await _host.ExecAsync($"kill -0 {started.Stdout.Trim()}")).Succeeded, "the background sleep was killed when its command ended");
        await _host.ExecAsync($"kill {started.Stdout.Trim()}");
    }

    [Fact]
    public async Task A_connection_lost_mid_command_is_a_RemoteHostException_and_the_next_command_reconnects()
    {
        await using SshHost ssh = await SshHost.ConnectAsync(_host.DeployHost, _host.SshSettings, Deadline());
        int master = MasterPid(await MasterStatusAsync(ssh));
        var command = RemoteCommand.Of("sh", "-c", "echo started; sleep 3003");

        var error = await Assert.ThrowsAsync<RemoteHostException>(() => ssh.RunAsync(command, line =>
        {
            if (line == "started")
            {
                Process.GetProcessById(master).Kill();
            }
        }, Deadline()));

        Assert.StartsWith($"lost the connection to {_host.DeployHost.Label} while running `sh -c", error.Message);
        RemoteResult again = await ssh.RunAsync(RemoteCommand.Of("echo", "back"), null, Deadline());
        Assert.Equal("back\n", again.Stdout);
        await _host.ExecAsync("pkill -f 'sleep 300[3]'");
    }

    [Fact]
    public async Task A_streaming_command_ends_on_the_host_when_its_process_is_killed()
    {
        await using SshHost ssh = await SshHost.ConnectAsync(_host.DeployHost, _host.SshSettings, Deadline());
        await _host.CheckAsync("mkdir -p /srv/app/.deploy && echo 'line one' > /srv/app/.deploy/berth.log");

        using (Process follow = ssh.StartStreaming(RemoteCommand.Of("tail", "-n", "5", "-f", "/srv/app/.deploy/berth.log")))
        {
            Assert.Equal("line one", await follow.StandardOutput.ReadLineAsync(Deadline()));
            await _host.CheckAsync("echo 'line two' >> /srv/app/.deploy/berth.log");
            Assert.Equal("line two", await follow.StandardOutput.ReadLineAsync(Deadline()));
            follow.Kill();
            await follow.WaitForExitAsync(Deadline());
        }

        await WaitUntilAsync(async () => !(await _host.ExecAsync("pgrep -f 'tail -n 5 -f /srv/app/[.]deploy/berth.log'")).Succeeded, "the remote tail to end");
    }

    [Fact]
    public async Task Two_hosts_at_once_have_separate_srv_and_leave_this_machines_srv_alone()
    {
        await using SshTestHost other = await SshTestHost.StartAsync();
        await using SshHost first = await SshHost.ConnectAsync(_host.DeployHost, _host.SshSettings, Deadline());
        await using SshHost second = await SshHost.ConnectAsync(other.DeployHost, other.SshSettings, Deadline());

        await first.RunAsync(RemoteCommand.Of("sh", "-c", "echo first > /srv/who"), null, Deadline());
        await second.RunAsync(RemoteCommand.Of("sh", "-c", "echo second > /srv/who"), null, Deadline());

        Assert.NotEqual(_host.Address, other.Address);
        Assert.Equal("first\n", await File.ReadAllTextAsync(Path.Combine(_host.SrvPath, "who")));
        Assert.Equal("second\n", await File.ReadAllTextAsync(Path.Combine(other.SrvPath, "who")));
        Assert.Equal("second\n", await other.CheckAsync("cat /srv/who"));
        Assert.False(File.Exists("/srv/who"));
    }

    private async Task<(string Path, byte[] Content)> RandomFileAsync(int megabytes)
    {
        byte[] content = new byte[megabytes * 1024 * 1024];
        new Random(megabytes).NextBytes(content);
        string path = Path.Combine(_host.Root, $"random-{megabytes}.bin");
        await File.WriteAllBytesAsync(path, content);
        return (path, content);
    }

    private static async Task<string> MasterStatusAsync(SshHost ssh)
    {
        ProcessResult check = await HostProcess.RunAsync("ssh", ["-o", $"ControlPath={ssh.ControlPath}", "-O", "check", ssh.Host.Address]);
        Assert.True(check.Succeeded, check.Output);
        return check.Stderr.Trim();
    }

    private static int MasterPid(string status) =>
        int.Parse(status["Master running (pid=".Length..status.IndexOf(')', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > Patience)
            {
                throw new TimeoutException($"waited {Patience.TotalSeconds:0}s for {what}");
            }

            await Task.Delay(100);
        }
    }
}
