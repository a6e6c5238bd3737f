using System.CommandLine;

namespace Berth.Cli;

/// <summary><c>berth scale APP N</c>: uWSGI's and gunicorn's TTIN/TTOU, with the number said outright.</summary>
internal static class ScaleCommand
{
    public static Command Create()
    {
        Option<string> control = ControlOption.Create();
        var app = new Argument<string>("APP") { Description = "The app to scale." };
        var workers = new Argument<int>("N") { Description = "The number of worker processes it should run." };
        var command = new Command("scale", """
            Set the number of workers of an app on a running berth serve. New workers are added once they
            have imported the app; removed ones finish their requests first. Until the next restart only:
            put the number in berth.yml (workers:) to keep it. Exits 1 when refused.
            """);
        command.Arguments.Add(app);
        command.Arguments.Add(workers);
        command.Options.Add(control);
        command.SetAction((parse, cancellationToken) => ControlCall.RunAsync(parse, control,
            async client => await ControlCall.ReportAsync(parse, await client.ScaleAsync(parse.GetValue(app)!, parse.GetValue(workers), cancellationToken)),
            cancellationToken));
        return command;
    }
}
