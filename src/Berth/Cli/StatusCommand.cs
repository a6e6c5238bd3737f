using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using Berth.Control;

namespace Berth.Cli;

/// <summary><c>berth status [--json]</c>: one look at every app and worker of a running <c>berth serve</c>.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        Option<string> control = ControlOption.Create();
        var json = new Option<bool>("--json") { Description = "Print the status as JSON (snake_case field names, the control socket's own format), for scripts and jq." };
        var command = new Command("status", """
            Show each app of a running berth serve: its state, wanted workers and queue, every worker
            (pid, state, requests in flight / capacity, requests served, memory, age), and the last worker
            exits with their cause. Exits 1 when no berth serve answers.
            """);
        command.Options.Add(control);
        command.Options.Add(json);
        command.SetAction((parse, cancellationToken) =>
            ControlCall.RunAsync(parse, control, client => ShowAsync(parse, client, parse.GetValue(json), cancellationToken), cancellationToken));
        return command;
    }

    private static async Task<int> ShowAsync(ParseResult parse, ControlClient client, bool json, CancellationToken cancellationToken)
    {
        ControlResponse response = await client.StatusAsync(cancellationToken);
        if (!response.Ok || response.Status is null)
        {
            return await ControlCall.ReportAsync(parse, response with { Ok = false, Error = response.Error ?? "berth serve answered status without a status" });
        }

        if (json)
        {
            await parse.InvocationConfiguration.Output.WriteLineAsync(ToJson(response.Status));
        }
        else
        {
            ControlCall.ConsoleFor(parse).Write(StatusView.Render(response.Status, TimeProvider.System.GetUtcNow()));
        }

        return 0;
    }

    internal static string ToJson(ServerStatus status)
    {
        using var buffer = new MemoryStream();
        // Relaxed escaping: this goes to a terminal or jq, never into HTML, and "GET /a?x=1&y=2" should read as such.
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            JsonSerializer.Serialize(writer, status, ControlJsonContext.Default.ServerStatus);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
