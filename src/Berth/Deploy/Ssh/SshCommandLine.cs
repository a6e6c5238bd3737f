using System.Globalization;
using Berth.Config;

namespace Berth.Deploy.Ssh;

/// <summary>
/// The argv arrays <see cref="SshHost"/> gives the system <c>ssh</c> for one host, built as data and tested as
/// strings (Kamal's command builders). Every invocation names the same control socket, so after
/// <see cref="Connect"/> the commands ride one multiplexed connection: one TCP handshake and one key exchange
/// per host and deploy, not one per command.
/// </summary>
public sealed class SshCommandLine
{
    public const string Program = "ssh";

    /// <summary>How long the master outlives its last command. <see cref="SshHost.DisposeAsync"/> closes it at
    /// once; this bounds the leftover when berth is killed hard (kill -9, power loss) to ten quiet minutes.
    /// A master that expired during a long idle wait (a later batch of a rolling deploy) is replaced by the
    /// next command, which runs with <c>ControlMaster=auto</c>.</summary>
    public static readonly TimeSpan ControlPersist = TimeSpan.FromMinutes(10);

    /// <summary>A dead connection is noticed after ServerAliveInterval × ServerAliveCountMax = 60 s of
    /// silence from the server, instead of TCP's many minutes.</summary>
    private const int ServerAliveInterval = 15;
    private const int ServerAliveCountMax = 4;

    private readonly DeployHost _host;
    private readonly SshSettings _settings;

    public SshCommandLine(DeployHost host, SshSettings settings, string controlPath)
    {
        _host = host;
        _settings = settings;
        ControlPath = controlPath;
    }

    /// <summary>The unix socket of the master connection (at most 108 bytes, as every unix socket path).</summary>
    public string ControlPath { get; }

    /// <summary>Opens the master: logs in, runs <c>true</c>, and leaves the connection in the background for
    /// the commands that follow (its standard streams on /dev/null, so it holds none of ours).</summary>
    public IReadOnlyList<string> Connect() => [.. Options("yes"), "--", "true"];

    /// <summary>Runs <paramref name="remoteLine"/> over the master (or, if it is gone, as a new master).</summary>
    public IReadOnlyList<string> Run(string remoteLine) => [.. Options("auto"), "--", remoteLine];

    /// <summary><c>ssh -O check</c>: exit 0 and "Master running (pid=N)" while the master is up.</summary>
    public IReadOnlyList<string> Check() => Control("check");

    /// <summary><c>ssh -O exit</c>: the master closes the connection and removes its socket.</summary>
    public IReadOnlyList<string> Exit() => Control("exit");

    /// <summary>What to type to try the same connection by hand, for error messages.</summary>
    public string ByHand()
    {
        var words = new List<string> { Program };
        if (_settings.IdentityFile is { } identity)
        {
            words.AddRange(["-i", identity]);
        }

        if (_host.Port != DeployHost.DefaultPort)
        {
            words.AddRange(["-p", _host.Port.ToString(CultureInfo.InvariantCulture)]);
        }

        words.Add($"{_host.User}@{_host.Address}");
        words.Add("true");
        return string.Join(' ', words.Select(ShellQuote.Word));
    }

    /// <summary>
    /// The line the remote shell runs for <paramref name="command"/>. ssh without a terminal does not pass a
    /// signal on: killing the local ssh (Ctrl-C, a cancelled step) closes the channel, but a remote
    /// <c>pip install</c> would run on, holding files a next deploy wants. So a command that reads no stdin runs
    /// under a small sh that holds the channel's stdin open as a lifeline: the command runs in its own session
    /// (setsid, util-linux, on every Debian and Ubuntu) with stdin from /dev/null, and when the lifeline reaches
    /// end of file, because the local side went away, its whole process group gets SIGTERM. A normal exit kills
    /// only the watcher, so what the command started on purpose (berth serve --daemon, in a session of its own)
    /// lives on. A command given stdin bytes runs as it is: its input is the data, and it ends with it.
    /// </summary>
    public static string RemoteLine(RemoteCommand command) =>
        command.Stdin is null ? Wrapped(command.Argv) : command.ToString();

    /// <summary>Whether <see cref="RemoteLine"/> wraps <paramref name="command"/>, which then needs its stdin
    /// held open until it exits.</summary>
    public static bool HoldsLifeline(RemoteCommand command) => command.Stdin is null;

    private const string LifelineScript =
        "exec 3<&0; setsid -w \"$@\" </dev/null & c=$!; " +
        "{ while read -r _ <&3; do :; done; kill -TERM -$c 2>/dev/null; } & w=$!; " +
        "wait $c; s=$?; kill $w 2>/dev/null; exit $s";

    private static string Wrapped(IReadOnlyList<string> argv) =>
        new RemoteCommand(["sh", "-c", LifelineScript, "berth", .. argv]).ToString();

    /// <summary>
    /// The remote side of an upload (run as it is, not under the lifeline: its stdin is the file): stdin into a temporary file beside <paramref name="remotePath"/>, then,
    /// only if all <paramref name="size"/> bytes arrived, the mode and an atomic rename over the target. A
    /// transfer cut short (Ctrl-C, a lost connection) never replaces the file, and its temporary file is removed.
    /// </summary>
    /// <param name="mode">Permission bits as a number (0o755 is 493), written in octal for chmod.</param>
    /// <param name="token">Makes the temporary name unique, so two uploads to one path never share it.</param>
    public static RemoteCommand Upload(string remotePath, long size, int mode, string token) => new(
        [
            "sh", "-c",
            "set -e; t=\"$(dirname \"$1\")/.$(basename \"$1\").tmp.$4\"; trap 'rm -f \"$t\"' EXIT; " +
            "cat >\"$t\"; n=$(stat -c %s \"$t\"); " +
            "if [ \"$n\" != \"$2\" ]; then echo \"received $n of $2 bytes\" >&2; exit 1; fi; " +
            "chmod \"$3\" \"$t\"; mv -f \"$t\" \"$1\"",
            "berth-upload", remotePath, size.ToString(CultureInfo.InvariantCulture), Convert.ToString(mode, 8), token,
        ]);

    private List<string> Options(string controlMaster)
    {
        // ssh keeps the first value it sees for an option: what berth relies on comes first, then the user's
        // options: (which may override the tunables that follow), then the defaults.
        var argv = new List<string>
        {
            "-o", "BatchMode=yes",
            "-o", $"ControlMaster={controlMaster}",
            "-o", $"ControlPath={ControlPath}",
            "-o", $"ControlPersist={(int)ControlPersist.TotalSeconds}s",
        };
        foreach (string option in _settings.Options)
        {
            argv.AddRange(["-o", option]);
        }

        int connectTimeout = Math.Max(1, (int)Math.Ceiling(_settings.ConnectTimeout.TotalSeconds));
        argv.AddRange(["-o", $"ConnectTimeout={connectTimeout}"]);
        argv.AddRange(["-o", $"ServerAliveInterval={ServerAliveInterval}", "-o", $"ServerAliveCountMax={ServerAliveCountMax}"]);
        argv.AddRange(["-o", $"StrictHostKeyChecking={_settings.StrictHostKeyChecking}"]);
        if (_settings.KnownHostsFile is { } knownHosts)
        {
            argv.AddRange(["-o", $"UserKnownHostsFile={knownHosts}"]);
        }

        if (_settings.IdentityFile is { } identity)
        {
            // Only this key: an agent holding many keys would otherwise spend the server's MaxAuthTries on them.
            argv.AddRange(["-i", identity, "-o", "IdentitiesOnly=yes"]);
        }

        argv.AddRange(Destination());
        return argv;
    }

    private List<string> Control(string operation) =>
        ["-o", $"ControlPath={ControlPath}", "-O", operation, .. Destination()];

    private string[] Destination() =>
        ["-l", _host.User, "-p", _host.Port.ToString(CultureInfo.InvariantCulture), _host.Address];
}
