using System.CommandLine;
using System.Runtime.InteropServices;
using Berth.Config;
using Berth.Deploy;
using Berth.Deploy.Notify;
using Berth.Deploy.Progress;
using Spectre.Console;

namespace Berth.Cli;

/// <summary>
/// <c>berth deploy</c> and <c>berth rollback</c> (docs/deploy.md): load berth.yml, run the engine with the live
/// progress view, notify, and exit 0 when every host ended well, 1 when one did not, 2 for a config error.
/// </summary>
internal static class DeployCommand
{
    public const int ExitFailed = 1;

    public static Command Create(RemoteConnector connect)
    {
        var options = new DeployCommandLine();
        var plan = new Option<bool>("--plan") { Description = "Check every host and print per step what would change and why; change nothing, send nothing." };
        var breakLock = new Option<bool>("--break-lock") { Description = "Take the deploy lock even though another run holds it: only when sure nobody is deploying (a run killed with kill -9)." };
        var command = new Command("deploy", """
            Deploy the app to the hosts of berth.yml's deploy: section over ssh: the commit of the branch as a
            new release, its virtualenv, the shared paths, berth itself and the served config, then an atomic
            switch, a graceful reload and a health check that switches back on failure. Every step checks
            before it acts, so a re-run with nothing changed does nothing. docs/deploy.md walks through it.
            Exits 0 when every host serves the new release, 1 when a host failed, 2 for a config error.
            """);
        options.AddTo(command);
        command.Options.Add(plan);
        command.Options.Add(breakLock);
        command.SetAction((parse, cancellationToken) => RunAsync(parse, options, connect, parse.GetValue(plan),
            (engine, config, hosts, ct) => engine.DeployAsync(config, hosts, new DeployOptions(parse.GetValue(plan), parse.GetValue(breakLock)), ct),
            cancellationToken));
        return command;
    }

    public static Command CreateRollback(RemoteConnector connect)
    {
        var options = new RollbackCommandLine();
        var command = new Command("rollback", """
            Put a previous release back: switch current to it, reload gracefully and check its health, under
            the deploy lock, recorded in the history. Builds nothing: the release and its venv are still on
            the host. Exits 0 when every host serves it, 1 when one does not, 2 for a config error.
            """);
        options.AddTo(command);
        command.SetAction((parse, cancellationToken) => RunAsync(parse, options, connect, plan: false,
            (engine, config, hosts, ct) => engine.RollbackAsync(config, hosts, new RollbackOptions(parse.GetValue(options.Release)), ct),
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, DeployCommandLine options, RemoteConnector connect, bool plan,
        Func<DeployEngine, BerthConfig, IReadOnlyList<DeployTarget>, CancellationToken, Task<DeployReport>> run, CancellationToken cancellationToken)
    {
        if (options.Load(parse, parse.InvocationConfiguration.Error) is not { } loaded)
        {
            return BerthCommand.ExitConfigError;
        }

        DeploySettings deploy = loaded.Config.Deploy!;
        // The first Ctrl-C (or SIGTERM) cancels the run, which still releases the lock and records the release;
        // a second one is not caught, and ends berth at once.
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        int signals = 0;
        void OnSignal(PosixSignalContext context)
        {
            if (Interlocked.Increment(ref signals) == 1)
            {
                context.Cancel = true;
                cancel.Cancel();
            }
        }

        using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using PosixSignalRegistration terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        IAnsiConsole console = ControlCall.ConsoleFor(parse);
        using var progress = new TerminalProgress(console, TimeProvider.System);
        DeployReport report = await run(new DeployEngine(progress, TimeProvider.System, connect), loaded.Config, loaded.Targets, cancel.Token);

        if (plan)
        {
            console.WriteLine(DeployNotifier.Describe(deploy.Notify));
        }
        else if (deploy.Notify is { } notify)
        {
            using var notifier = new DeployNotifier(TimeProvider.System);
            progress.Notified(await notifier.SendAsync(notify, report, CancellationToken.None));
        }

        return report.Succeeded ? 0 : ExitFailed;
    }

    /// <summary>rollback names one host with --host (its argument is the release), not the HOST... of the others.</summary>
    private sealed class RollbackCommandLine : DeployCommandLine
    {
        public Option<string?> Host { get; } = new("--host") { Description = "Only this host of deploy: hosts: [default: all of them]." };

        public Argument<string?> Release { get; } = new("RELEASE")
        {
            Description = "The release to return to, as `berth releases` lists it [default: the good release before the live one].",
            Arity = ArgumentArity.ZeroOrOne,
        };

        public override void AddTo(Command command)
        {
            command.Options.Add(Config);
            command.Options.Add(Host);
            command.Arguments.Add(Release);
        }

        protected override IReadOnlyList<string> Named(ParseResult parse) => parse.GetValue(Host) is { } host ? [host] : [];
    }
}
