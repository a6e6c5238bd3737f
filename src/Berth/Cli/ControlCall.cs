using System.CommandLine;
using Berth.Control;
using Spectre.Console;

namespace Berth.Cli;

/// <summary>
/// What the control commands share: connect to the socket named by <c>--control</c>, run, and turn
/// "nobody answers" into exit code 1 and one sentence on stderr.
/// </summary>
internal static class ControlCall
{
    public const int ExitFailed = 1;

    public static async Task<int> RunAsync(ParseResult parse, Option<string> control, Func<ControlClient, Task<int>> action, CancellationToken cancellationToken)
    {
        string path = parse.GetValue(control)!;
        try
        {
            await using ControlClient client = await ControlClient.ConnectAsync(path, cancellationToken);
            return await action(client);
        }
        catch (ControlConnectionException e)
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync(e.Message);
            return ExitFailed;
        }
    }

    /// <summary>Prints the server's answer: the message on stdout when it worked, the error (a Python traceback,
    /// say) on stderr when it did not.</summary>
    public static async Task<int> ReportAsync(ParseResult parse, ControlResponse response)
    {
        if (response.Ok)
        {
            await parse.InvocationConfiguration.Output.WriteLineAsync(response.Text);
            return 0;
        }

        await parse.InvocationConfiguration.Error.WriteLineAsync(response.Text.TrimEnd());
        return ExitFailed;
    }

    /// <summary>A Spectre console over the command's output: the real terminal in use, a plain writer in tests.</summary>
    public static IAnsiConsole ConsoleFor(ParseResult parse)
    {
        TextWriter output = parse.InvocationConfiguration.Output;
        bool terminal = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!terminal)
        {
            // Piped into grep or a file: Spectre would assume 80 columns and wrap the exits table.
            console.Profile.Width = 200;
        }

        return console;
    }
}
