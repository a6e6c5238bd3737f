using System.CommandLine;

namespace Berth.Cli;

/// <summary><c>berth stop</c>: the graceful stop that SIGTERM gives, without looking up a pid.</summary>
internal static class StopCommand
{
    public static Command Create()
    {
        Option<string> control = ControlOption.Create();
        var command = new Command("stop", """
            Ask a running berth serve to stop gracefully, as SIGTERM does: it stops accepting, lets
            in-flight requests finish within the graceful timeout, stops the workers and exits 0.
            Returns as soon as the server has agreed, not when it has exited.
            """);
        command.Options.Add(control);
        command.SetAction((parse, cancellationToken) => ControlCall.RunAsync(parse, control,
            async client => await ControlCall.ReportAsync(parse, await client.StopAsync(cancellationToken)),
            cancellationToken));
        return command;
    }
}
