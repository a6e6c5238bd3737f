using System.CommandLine;
using System.Runtime.InteropServices;
using Berth.Control;
using Spectre.Console;

namespace Berth.Cli;

/// <summary><c>berth top</c>: <c>berth status</c>, redrawn every second until Ctrl-C (uwsgitop's job).</summary>
internal static class TopCommand
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    public static Command Create()
    {
        Option<string> control = ControlOption.Create();
        var once = new Option<bool>("--once") { Description = "Draw one frame and exit (for scripts, and terminals that are not one)." };
        var command = new Command("top", "Watch a running berth serve: the status table, refreshed every second, until Ctrl-C. Exits 1 when no berth serve answers or it goes away.");
        command.Options.Add(control);
        command.Options.Add(once);
        command.SetAction((parse, cancellationToken) => ControlCall.RunAsync(parse, control,
            client => WatchAsync(parse, client, parse.GetValue(once), cancellationToken),
            cancellationToken));
        return command;
    }

    private static async Task<int> WatchAsync(ParseResult parse, ControlClient client, bool once, CancellationToken cancellationToken)
    {
        ServerStatus? status = await FetchAsync(parse, client, cancellationToken);
        if (status is null)
        {
            return ControlCall.ExitFailed;
        }

        IAnsiConsole console = ControlCall.ConsoleFor(parse);
        if (once)
        {
            console.Write(StatusView.Render(status, TimeProvider.System.GetUtcNow()));
            return 0;
        }

        // Program.cs leaves SIGINT to the commands (serve drains on it). Here it must end the live display
        // through its own code path, or the terminal is left with its cursor hidden.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }

        using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using PosixSignalRegistration terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        int exit = 0;
        await console.Live(StatusView.Render(status, TimeProvider.System.GetUtcNow()))
            .AutoClear(false)
            .Overflow(VerticalOverflow.Ellipsis)
            .StartAsync(async live =>
            {
                try
                {
                    while (true)
                    {
                        await Task.Delay(Interval, TimeProvider.System, stop.Token);
                        status = await FetchAsync(parse, client, stop.Token);
                        if (status is null)
                        {
                            exit = ControlCall.ExitFailed;
                            return;
                        }

                        live.UpdateTarget(StatusView.Render(status, TimeProvider.System.GetUtcNow()));
                    }
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                }
            });
        return exit;
    }

    private static async Task<ServerStatus?> FetchAsync(ParseResult parse, ControlClient client, CancellationToken cancellationToken)
    {
        ControlResponse response = await client.StatusAsync(cancellationToken);
        if (response.Ok && response.Status is not null)
        {
            return response.Status;
        }

        await parse.InvocationConfiguration.Error.WriteLineAsync(response.Error ?? "berth serve answered status without a status");
        return null;
    }
}
