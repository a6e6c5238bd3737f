using System.CommandLine;
using Berth.Deploy;

namespace Berth.Cli;

/// <summary>
/// <c>berth releases [--config berth.yml] [HOST...]</c>: per host, the history in <c>.deploy/releases.jsonl</c> and the
/// release <c>current</c> points at, read over ssh in one command.
/// </summary>
internal static class ReleasesCommand
{
    // Between the history and the live release in the one command's output; no JSON line can be this.
    private const string LiveMarker = "--- berth: live release ---";

    public static Command Create(RemoteConnector connect)
    {
        var options = new DeployCommandLine();
        var command = new Command("releases", """
            Show each host's releases, newest first: status (ok, failed, rolled_back), commit, who deployed it
            from which machine, when, how long it took and why it failed; the live one is marked with *.
            Exits 1 when a host cannot be reached, 2 when berth.yml has no deploy: section.
            """);
        options.AddTo(command);
        command.SetAction((parse, cancellationToken) => ShowAsync(parse, options, connect, cancellationToken));
        return command;
    }

    /// <summary>History and live release in one round trip: <c>cat</c> and <c>readlink</c>, each silent when there is nothing yet.</summary>
    public static RemoteCommand Read(DeployPaths paths) =>
        RemoteCommand.Of("sh", "-c", $"cat \"$1\" 2>/dev/null; echo; echo '{LiveMarker}'; readlink \"$2\" 2>/dev/null; exit 0", "sh", paths.History, paths.Current);

    /// <summary>The command's output split into the history and the live release's id.</summary>
    public static (IReadOnlyList<ReleaseRecord> History, string? LiveId) Parse(string output)
    {
        int marker = output.LastIndexOf(LiveMarker, StringComparison.Ordinal);
        string history = marker < 0 ? output : output[..marker];
        string live = marker < 0 ? "" : output[(marker + LiveMarker.Length)..].Trim();
        string? id = DeployPaths.TargetName(live);
        return (ReleaseHistory.Parse(history), id);
    }

    private static async Task<int> ShowAsync(ParseResult parse, DeployCommandLine options, RemoteConnector connect, CancellationToken cancellationToken)
    {
        TextWriter output = parse.InvocationConfiguration.Output;
        TextWriter error = parse.InvocationConfiguration.Error;
        if (options.Targets(parse, error) is not { } targets)
        {
            return BerthCommand.ExitConfigError;
        }

        bool terminal = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        int exit = 0;
        foreach (DeployTarget target in targets)
        {
            try
            {
                await using IRemoteHost host = await connect(target, cancellationToken);
                RemoteResult result = await host.RunAsync(Read(target.Paths), null, cancellationToken);
                (IReadOnlyList<ReleaseRecord> history, string? live) = Parse(result.Stdout);
                DateTimeOffset now = TimeProvider.System.GetUtcNow();
                if (terminal)
                {
                    ControlCall.ConsoleFor(parse).Write(ReleasesView.Render(target.Host.Label, target.Paths.Root, history, live, now));
                }
                else
                {
                    await output.WriteAsync(ReleasesView.RenderPlain(target.Host.Label, target.Paths.Root, history, live, now));
                }
            }
            catch (RemoteHostException e)
            {
                await error.WriteLineAsync(e.Message);
                exit = ControlCall.ExitFailed;
            }
        }

        return exit;
    }
}
