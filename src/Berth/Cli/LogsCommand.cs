using System.CommandLine;
using System.Globalization;
using Berth.Deploy;

namespace Berth.Cli;

/// <summary>
/// <c>berth logs [-f] [-n N] [HOST...]</c>: berth serve's log on each host — workers' output, tracebacks, reloads,
/// certificate orders. Where systemd runs berth that is the unit's journal; elsewhere (berth's daemon mode) the
/// log file in <c>.deploy/</c>. One remote command decides which, so it costs one round trip.
/// </summary>
internal static partial class LogsCommand
{
    public const int DefaultLines = 100;

    // $1 unit, $2 log file, $3 lines, $4 non-empty to follow. journalctl through sudo -n: the deploy user may
    // run sudo without a password (docs/deploy.md, section 2) but is not in the systemd-journal group.
    private const string Script = """
        if [ -d /run/systemd/system ] && [ -f "/etc/systemd/system/$1" ]; then
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
            lines.ToString(CultureInfo.InvariantCulture), follow ? "1" : "");

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
