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

    public static Command Create()
    {
        var config = new Option<string?>("--config", "-c") { Description = "berth.yml with the deploy: section [default: ./berth.yml]." };
        var plan = new Option<bool>("--plan") { Description = "Check every host and print per step what would change and why; change nothing, send nothing." };
        var breakLock = new Option<bool>("--break-lock") { Description = "Take the deploy lock even though another run holds it: only when sure nobody is deploying (a run killed with kill -9)." };
        var hosts = new Argument<string[]>("HOST") { Description = "Only these hosts of deploy: hosts: [default: all of them].", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("deploy", """
            Deploy the app to the hosts of berth.yml's deploy: section over ssh: the commit of the branch as a
            new release, its virtualenv, the shared paths, berth itself and the served config, then an atomic
            switch, a graceful reload and a health check that switches back on failure. Every step checks
            before it acts, so a re-run with nothing changed does nothing. docs/deploy.md walks through it.
            Exits 0 when every host serves the new release, 1 when a host failed, 2 for a config error.
            """);
        command.Options.Add(config);
        command.Options.Add(plan);
        command.Options.Add(breakLock);
        command.Arguments.Add(hosts);
        command.SetAction((parse, cancellationToken) => RunAsync(parse, parse.GetValue(config) ?? "berth.yml", parse.GetValue(plan),
            (engine, settings, ct) => engine.DeployAsync(settings, new DeployOptions(parse.GetValue(plan), parse.GetValue(breakLock), parse.GetValue(hosts) ?? []), ct),
            cancellationToken));
        return command;
    }

    public static Command CreateRollback()
    {
        var config = new Option<string?>("--config", "-c") { Description = "berth.yml with the deploy: section [default: ./berth.yml]." };
        var host = new Option<string?>("--host") { Description = "Only this host of deploy: hosts: [default: all of them]." };
        var release = new Argument<string?>("RELEASE") { Description = "The release to return to, as `berth releases` lists it [default: the good release before the live one].", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("rollback", """
            Put a previous release back: switch current to it, reload gracefully and check its health, under
            the deploy lock, recorded in the history. Builds nothing: the release and its venv are still on
            the host. Exits 0 when every host serves it, 1 when one does not, 2 for a config error.
            """);
        command.Options.Add(config);
        command.Options.Add(host);
        command.Arguments.Add(release);
        command.SetAction((parse, cancellationToken) => RunAsync(parse, parse.GetValue(config) ?? "berth.yml", plan: false,
            (engine, settings, ct) => engine.RollbackAsync(settings, new RollbackOptions(parse.GetValue(release), parse.GetValue(host)), ct),
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, string path, bool plan,
        Func<DeployEngine, BerthConfig, CancellationToken, Task<DeployReport>> run, CancellationToken cancellationToken)
    {
        ConfigResult loaded = ConfigLoader.Load(path);
        if (!BerthCommand.ReportErrors(loaded))
        {
            return BerthCommand.ExitConfigError;
        }

        BerthConfig config = loaded.Config!;
        if (config.Deploy is not { } deploy)
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync(DeployCommandLine.NoDeploySection(path));
            return BerthCommand.ExitConfigError;
        }

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
        DeployReport report;
        try
        {
            report = await run(new DeployEngine(progress, TimeProvider.System), config, cancel.Token);
        }
        catch (DeployException e)
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync(e.ToString());
            return BerthCommand.ExitConfigError;
        }

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
}
