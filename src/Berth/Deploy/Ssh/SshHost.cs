using System.ComponentModel;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Berth.Config;

namespace Berth.Deploy.Ssh;

/// <summary>
/// A deploy host driven by the system OpenSSH client (no SSH library is on our NuGet mirror, and the system
/// client already knows the user's keys, agent, known_hosts and ~/.ssh/config). <see cref="ConnectAsync"/>
/// opens one ControlMaster connection; every command and upload after it is one more ssh process that rides
/// that connection, so a command costs a few milliseconds instead of a handshake.
/// </summary>
public sealed class SshHost : IRemoteHost
{
    /// <summary>ssh's ConnectTimeout bounds the TCP connect only; a server that accepts and then stalls in the
    /// key exchange or login is cut off this long after it.</summary>
    private static readonly TimeSpan LoginGrace = TimeSpan.FromSeconds(20);

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private readonly SshCommandLine _commandLine;
    private readonly string _controlDirectory;
    private int _disposed;

    private SshHost(DeployHost host, SshSettings settings, string controlDirectory)
    {
        Host = host;
        _controlDirectory = controlDirectory;
        _commandLine = new SshCommandLine(host, settings, Path.Combine(controlDirectory, "m"));
    }

    public DeployHost Host { get; }

    /// <summary>The master connection's socket, in a private (0700) directory of this process.</summary>
    public string ControlPath => _commandLine.ControlPath;

    /// <summary>Logs in and leaves the master connection open for the commands that follow.</summary>
    /// <exception cref="RemoteHostException">The host cannot be reached or refuses the login; the message names
    /// the host, quotes ssh and says what to fix.</exception>
    public static async Task<SshHost> ConnectAsync(DeployHost host, SshSettings ssh, CancellationToken cancellationToken)
    {
        var sshHost = new SshHost(host, ssh, CreateControlDirectory());
        try
        {
            using var login = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            login.CancelAfter(ssh.ConnectTimeout + LoginGrace);
            RemoteResult result;
            try
            {
                result = await RunSshAsync(sshHost._commandLine.Connect(), writeStdin: null, onOutputLine: null, login.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new RemoteHostException(
                    $"cannot connect to {host.Label} over ssh: the login did not finish within {(ssh.ConnectTimeout + LoginGrace).TotalSeconds:0}s. " +
                    $"Fix: check that {host.Address}:{host.Port} is an ssh server and not overloaded; try `{sshHost._commandLine.ByHand()}` by hand.");
            }

            if (result.ExitCode != 0)
            {
                throw SshFailure.CannotConnect(host, ssh, sshHost._commandLine, result.Stderr);
            }

            return sshHost;
        }
        catch
        {
            await sshHost.DisposeAsync();
            throw;
        }
    }

    /// <summary>The <see cref="RemoteConnector"/> berth uses: the target's host with its deploy: ssh: settings.</summary>
    public static async Task<IRemoteHost> ConnectAsync(DeployTarget target, CancellationToken cancellationToken) =>
        await ConnectAsync(target.Host, target.Settings.Ssh, cancellationToken);

    /// <remarks>Cancelling kills the local ssh; the remote command then gets SIGTERM with its whole process group
    /// (see <see cref="SshCommandLine.RemoteLine"/>), unless it was given stdin bytes, which end it by themselves.</remarks>
    public async Task<RemoteResult> RunAsync(RemoteCommand command, Action<string>? onOutputLine, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        Func<Stream, CancellationToken, Task>? writeStdin = null;
        if (command.Stdin is { } text)
        {
            byte[] bytes = Utf8.GetBytes(text);
            writeStdin = (stdin, ct) => stdin.WriteAsync(bytes, ct).AsTask();
        }

        RemoteResult result = await RunSshAsync(_commandLine.Run(SshCommandLine.RemoteLine(command)), writeStdin, onOutputLine, cancellationToken);
        await ThrowIfConnectionLostAsync(result, $"running `{Preview(command)}`", cancellationToken);
        return result;
    }

    /// <remarks>The file is streamed from disk (a 70 MB berth binary is never held in memory) into a temporary
    /// name beside <paramref name="remotePath"/>, renamed over it only once every byte arrived.</remarks>
    /// <param name="mode">The permission bits as a number, e.g. <c>Convert.ToInt32("755", 8)</c> (493).</param>
    public async Task UploadAsync(string localPath, string remotePath, int mode, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        // C# has no octal literal: 755 written in decimal is 0o1363, with the sticky bit, which no deployed
        // file wants. Refusing set-id and sticky bits catches that slip.
        if ((mode & ~0x1FF) != 0 || mode < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode,
                $"mode {mode} is not permission bits: pass the number whose octal digits are the mode, e.g. Convert.ToInt32(\"755\", 8) = 493 for 0755.");
        }

        await using var file = new FileStream(localPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, useAsync: true);
        RemoteCommand upload = SshCommandLine.Upload(remotePath, file.Length, mode, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));
        RemoteResult result = await RunSshAsync(
            _commandLine.Run(upload.ToString()), (stdin, ct) => file.CopyToAsync(stdin, ct), onOutputLine: null, cancellationToken);
        await ThrowIfConnectionLostAsync(result, $"uploading {localPath} to {remotePath}", cancellationToken);
        if (!result.Succeeded)
        {
            string directory = Path.GetDirectoryName(remotePath) ?? remotePath;
            throw new RemoteHostException(
                $"could not upload {localPath} to {Host.Label}:{remotePath}: {SshFailure.Said(result.Stderr)}. " +
                $"Fix: check that {directory} exists on the host and that {Host.User} may write to it.");
        }
    }

    /// <summary>
    /// Starts <paramref name="command"/> over the master and returns at once, for output that does not end by
    /// itself (<c>berth logs -f</c>): stdout and stderr are redirected for the caller to read. The caller kills
    /// the process and disposes it; disposing closes its stdin, which is the remote command's lifeline
    /// (<see cref="SshCommandLine.RemoteLine"/>), so the remote <c>tail -f</c> ends too.
    /// </summary>
    public Process StartStreaming(RemoteCommand command)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        Process process = Start(_commandLine.Run(SshCommandLine.RemoteLine(command)));
        if (command.Stdin is { } text)
        {
            process.StandardInput.Write(text);
            process.StandardInput.Close();
        }

        return process;
    }

    /// <summary>Closes the master connection (<c>ssh -O exit</c>) and removes its private directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (File.Exists(ControlPath))
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await RunSshAsync(_commandLine.Exit(), writeStdin: null, onOutputLine: null, timeout.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or RemoteHostException)
            {
                // The master is unreachable or already gone; ControlPersist ends it within minutes anyway.
            }
        }

        try
        {
            Directory.Delete(_controlDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>
    /// 255 is how ssh says it failed itself, but a remote command may exit 255 too: the master tells them apart.
    /// While it runs, the connection is there and 255 is the command's.
    /// </summary>
    private async Task ThrowIfConnectionLostAsync(RemoteResult result, string what, CancellationToken cancellationToken)
    {
        if (result.ExitCode == 255 && !await IsMasterRunningAsync(cancellationToken))
        {
            throw SshFailure.LostConnection(Host, _commandLine, what, result.Stderr);
        }
    }

    private async Task<bool> IsMasterRunningAsync(CancellationToken cancellationToken) =>
        (await RunSshAsync(_commandLine.Check(), writeStdin: null, onOutputLine: null, cancellationToken)).ExitCode == 0;

    /// <summary>
    /// Runs one ssh to its end. With <paramref name="writeStdin"/> its stdin gets those bytes and is closed;
    /// without, stdin is held open until ssh exits (the remote command's lifeline) and closed when this call is
    /// cancelled. Lines of stdout and stderr go to <paramref name="onOutputLine"/> one at a time as they come.
    /// </summary>
    private static async Task<RemoteResult> RunSshAsync(
        IReadOnlyList<string> argv, Func<Stream, CancellationToken, Task>? writeStdin, Action<string>? onOutputLine, CancellationToken cancellationToken)
    {
        using Process process = Start(argv);
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var oneAtATime = new Lock();
        Task readStdout = PumpAsync(process.StandardOutput, stdout, onOutputLine, oneAtATime);
        Task readStderr = PumpAsync(process.StandardError, stderr, onOutputLine, oneAtATime);
        try
        {
            if (writeStdin is not null)
            {
                try
                {
                    await writeStdin(process.StandardInput.BaseStream, cancellationToken);
                }
                catch (IOException)
                {
                    // ssh ended before it took everything (the remote command failed early, or the connection
                    // broke): its exit code and stderr say which.
                }

                CloseQuietly(process.StandardInput);
            }

            await process.WaitForExitAsync(cancellationToken);
            await Task.WhenAll(readStdout, readStderr);
        }
        catch (OperationCanceledException)
        {
            try
            {
                process.Kill();
            }
            catch (InvalidOperationException)
            {
                // it had exited already
            }

            throw;
        }
        finally
        {
            CloseQuietly(process.StandardInput);
        }

        return new RemoteResult(process.ExitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Collects a stream exactly as it came and hands it on line by line. Lines end at \n only: a \r
    /// (a progress bar redrawing itself) stays in its line for <see cref="Progress.RemoteLine.Clean"/> to resolve,
    /// and a file read with cat keeps its bytes.</summary>
    private static async Task PumpAsync(StreamReader reader, StringBuilder into, Action<string>? onOutputLine, Lock oneAtATime)
    {
        char[] buffer = new char[4096];
        var line = new StringBuilder();
        try
        {
            int read;
            while ((read = await reader.ReadAsync(buffer.AsMemory())) > 0)
            {
                lock (oneAtATime)
                {
                    into.Append(buffer, 0, read);
                    for (int i = 0; i < read; i++)
                    {
                        if (buffer[i] == '\n')
                        {
                            onOutputLine?.Invoke(line.ToString());
                            line.Clear();
                        }
                        else
                        {
                            line.Append(buffer[i]);
                        }
                    }
                }
            }

            if (line.Length > 0)
            {
                lock (oneAtATime)
                {
                    onOutputLine?.Invoke(line.ToString());
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // the process was killed on cancellation and disposed under the reader
        }
    }

    private static void CloseQuietly(StreamWriter stdin)
    {
        try
        {
            stdin.Close();
        }
        catch (IOException)
        {
            // a broken pipe on the final flush: ssh is gone, its exit code tells why
        }
    }

    private static Process Start(IReadOnlyList<string> argv)
    {
        var start = new ProcessStartInfo(SshCommandLine.Program)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardInputEncoding = Utf8,
            StandardOutputEncoding = Utf8,
            StandardErrorEncoding = Utf8,
        };
        foreach (string word in argv)
        {
            start.ArgumentList.Add(word);
        }

        try
        {
            return Process.Start(start) ?? throw new InvalidOperationException("Process.Start returned no process for ssh");
        }
        catch (Win32Exception e)
        {
            throw new RemoteHostException(
                $"could not run `{SshCommandLine.Program}`: {e.Message}. Fix: install the OpenSSH client (`apt-get install openssh-client`) so that ssh is on PATH.", e);
        }
    }

    /// <summary>
    /// A directory only this user can enter, for the master's socket: whoever can connect to it runs commands
    /// as the deploy user without a key. Its path is kept short because a unix socket path has at most 107
    /// bytes, and ssh binds a name 17 bytes longer before renaming it.
    /// </summary>
    private static string CreateControlDirectory()
    {
        string root = Path.GetTempPath();
        if (root.Length > 60)
        {
            root = "/tmp";
        }

        string path = Path.Combine(root, "berth-ssh-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(5)));
        Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    private static string Preview(RemoteCommand command)
    {
        string line = command.ToString();
        return line.Length <= 80 ? line : line[..79] + "…";
    }
}
