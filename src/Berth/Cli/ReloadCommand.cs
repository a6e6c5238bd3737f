using System.CommandLine;

namespace Berth.Cli;

/// <summary><c>berth reload [APP]</c>: rolling, readiness-gated reload, like <c>kill -HUP</c> on gunicorn's master;
/// without APP it reads berth.yml again (<see cref="Master"/>'s reload).</summary>
internal static class ReloadCommand
{
    public static Command Create()
    {
        Option<string> control = ControlOption.Create();
        var app = new Argument<string?>("APP") { Description = "The app to reload [default: every app].", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("reload", """
            Reload the code of one app, or of every app: new workers start and import the app; each old
            worker is drained only once a new one is ready, so no request is refused. If the new code does
            not import, the old workers keep serving and this prints the Python traceback and exits 1.
            Without APP (as with SIGHUP) berth first reads its --config file again: changed apps reload with
            their new settings, new apps start, removed ones stop, sites and mounts swap. A file with errors
            changes nothing and this prints each error's file:line and exits 1. APP alone keeps its settings.
            Waits until the reload is done. Ctrl-C stops waiting, not the reload.
            """);
        command.Arguments.Add(app);
        command.Options.Add(control);
        command.SetAction((parse, cancellationToken) => ControlCall.RunAsync(parse, control,
            async client => await ControlCall.ReportAsync(parse, await client.ReloadAsync(parse.GetValue(app), cancellationToken)),
            cancellationToken));
        return command;
    }
}
