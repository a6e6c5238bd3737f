using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Berth.Deploy;

namespace Berth.Cli;

/// <summary>
/// <c>berth logs [-f] [-n N] [HOST...]</c>: berth serve's log on each host — workers' output, tracebacks, reloads,
/// certificate orders. Where systemd runs berth that is the unit's journal; elsewhere (berth's daemon mode) the
/// log file in <c>.deploy/</c>. One remote command decides which, so it costs one round trip.
/// </summary>
internal static class LogsCommand
{
    public const int DefaultLines = 100;

    public static Command Create(RemoteConnector connect, RemoteStreamStarter stream)
    {
        var options = new Options();
        var command = new Command("logs", """
            Print berth serve's log from each host: the workers' output and tracebacks, reloads, certificate
            orders. It is the journal of the berth-<app> unit where systemd runs berth, else .deploy/berth.log.
            -f keeps following until Ctrl-C. With several hosts each line starts with its host.
            Exits 1 when a host cannot be reached or has no log yet, 2 when berth.yml has no deploy: section.
            """);
        options.AddTo(command);
        command.SetAction((parse, cancellationToken) => ShowAsync(parse, options, connect, stream, cancellationToken));
        return command;
    }

    // $1 unit, $2 log file, $3 lines, $4 non-empty to follow, $5 the unit's file. journalctl through sudo -n: the
    // deploy user may run sudo without a password (docs/deploy.md, section 2) but is not in the systemd-journal group.
    private const string Script = """
        if [ -d /run/systemd/system ] && [ -f "$5" ]; then
          if [ "$(id -u)" = 0 ]; then exec journalctl -u "$1" -n "$3" --no-pager -o short-iso ${4:+-f}; fi
          if ! sudo -n true 2>/dev/null; then
            echo "cannot read the journal of $1: this ssh user needs passwordless sudo (docs/deploy.md, section 2), or membership of the systemd-journal group" >&2
            exit 3
          fi
          exec sudo -n journalctl -u "$1" -n "$3" --no-pager -o short-iso ${4:+-f}
        fi
        if [ ! -e "$2" ]; then
          echo "no log at $2 yet: berth serve has not run on this host (\`berth deploy\` starts it)" >&2
          exit 3
        fi
        exec tail -n "$3" ${4:+-F} "$2"
        """;

    /// <summary>The command that prints (or follows) the last <paramref name="lines"/> lines of the log.</summary>
    public static RemoteCommand Read(DeployTarget target, int lines, bool follow) =>
        RemoteCommand.Of("sh", "-c", Script, "sh", SystemdUnit.UnitName(target.ServiceName), target.Paths.LogFile,
            lines.ToString(CultureInfo.InvariantCulture), follow ? "1" : "", SystemdUnit.UnitPath(target.ServiceName));

    private static async Task<int> ShowAsync(ParseResult parse, Options options, RemoteConnector connect, RemoteStreamStarter stream, CancellationToken cancellationToken)
    {
        TextWriter output = parse.InvocationConfiguration.Output;
        TextWriter error = parse.InvocationConfiguration.Error;
        if (options.Targets(parse, error) is not { } targets)
        {
            return BerthCommand.ExitConfigError;
        }

        int lines = parse.GetValue(options.Lines);
        bool follow = parse.GetValue(options.Follow);
        var gate = new Lock();
        void Write(TextWriter to, DeployTarget target, IEnumerable<string> text)
        {
            lock (gate)
            {
                foreach (string line in text)
                {
                    to.WriteLine(targets.Count > 1 ? $"{target.Host.Label} | {line}" : line);
                }
            }
        }

        async Task<int> ShowOneAsync(DeployTarget target)
        {
            try
            {
                await using IRemoteHost host = await connect(target, cancellationToken);
                RemoteCommand command = Read(target, lines, follow);
                if (!follow)
                {
                    RemoteResult result = await host.RunAsync(command, null, cancellationToken);
                    Write(output, target, Lines(result.Stdout));
                    Write(error, target, Lines(result.Stderr));
                    return result.Succeeded ? 0 : ControlCall.ExitFailed;
                }

                using Process process = stream(host, command);
                Task pumps = Task.WhenAll(
                    PumpAsync(process.StandardOutput, line => Write(output, target, [line])),
                    PumpAsync(process.StandardError, line => Write(error, target, [line])));
                try
                {
                    await process.WaitForExitAsync(cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    // Ctrl-C is how a follow is meant to end.
                    process.Kill(entireProcessTree: true);
                    return 0;
                }

                await pumps;
                return process.ExitCode == 0 ? 0 : ControlCall.ExitFailed;
            }
            catch (RemoteHostException e)
            {
                Write(error, target, [e.Message]);
                return ControlCall.ExitFailed;
            }
        }

        int[] exits = await Task.WhenAll(targets.Select(ShowOneAsync));
        return exits.Max();
    }

    private static async Task PumpAsync(StreamReader reader, Action<string> onLine)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            onLine(line);
        }
    }

    private static string[] Lines(string text) => text.Length == 0 ? [] : text.TrimEnd('\n').Split('\n');

    internal sealed class Options : DeployCommandLine
    {
        public Option<bool> Follow { get; } = new("--follow", "-f") { Description = "Keep printing new lines until Ctrl-C, like tail -f." };

        public Option<int> Lines { get; } = new("--lines", "-n")
        {
            Description = $"How many of the last lines to print first [default: {DefaultLines}].",
            DefaultValueFactory = _ => DefaultLines,
        };

        public override void AddTo(Command command)
        {
            base.AddTo(command);
            command.Options.Add(Follow);
            command.Options.Add(Lines);
            Lines.Validators.Add(result =>
            {
                if (result.GetValue(Lines) < 1)
                {
                    result.AddError("-n/--lines must be 1 or more: how many of the last lines to print.");
                }
            });
        }
    }
}
