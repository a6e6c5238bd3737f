using System.CommandLine;
using Berth.Config;
using Berth.Deploy;
using Berth.Deploy.Ssh;
using Microsoft.Extensions.Logging;

namespace Berth.Cli;

/// <summary>The command line: <c>berth serve</c>, <c>berth check</c>, and the control commands
/// (<c>status</c>, <c>top</c>, <c>reload</c>, <c>scale</c>, <c>stop</c>) that talk to a running serve.</summary>
public static class BerthCommand
{
    public const int ExitConfigError = 2;

    public static RootCommand Build()
    {
        var root = new RootCommand("""
            Berth runs a Python web application in production: an HTTP edge that serves static files
            and buffers requests, a supervisor of Python worker processes, and a least-busy dispatcher
            between them — nginx + uWSGI/gunicorn in one program.

            Quick start:
              berth serve myapp:application -w 4 -b 0.0.0.0:8000 --static /static=./static
              berth serve --config berth.yml
              berth check --config berth.yml
              berth status          (also: berth top, berth reload [APP], berth scale APP N, berth stop)
              berth releases        (also: berth logs -f): what berth deploy left on the hosts of deploy:
            """);

        var serveOptions = new ServeOptions();
        var serve = new Command("serve", """
            Serve one or more Python web apps.

            Give a WSGI callable (like gunicorn: `berth serve project.wsgi:application`) or a berth.yml
            with --config; flags override the file. Berth starts the workers, waits until each has
            imported the app, then listens. SIGTERM or Ctrl-C stops accepting, lets in-flight requests
            finish within --graceful-timeout, stops the workers and exits 0. An app that cannot be
            imported makes serve exit 3 with the Python traceback; a bad config exits 2.
            """);
        serveOptions.AddTo(serve);
        serve.SetAction((parse, cancellationToken) => ServeAsync(parse, serveOptions, cancellationToken));
        root.Subcommands.Add(serve);

        var checkConfig = new Option<string?>("--config", "-c") { Description = "berth.yml to validate [default: ./berth.yml]." };
        var check = new Command("check", "Validate a berth.yml without starting anything, its deploy: section and the local files it names included. Exits 0 when it is valid, 2 with each problem's file:line and fix when not.");
        check.Options.Add(checkConfig);
        check.SetAction(parse => Check(parse.GetValue(checkConfig) ?? "berth.yml"));
        root.Subcommands.Add(check);

        root.Subcommands.Add(StatusCommand.Create());
        root.Subcommands.Add(TopCommand.Create());
        root.Subcommands.Add(ReloadCommand.Create());
        root.Subcommands.Add(ScaleCommand.Create());
        root.Subcommands.Add(StopCommand.Create());
        root.Subcommands.Add(CertCommand.Create());

        // The commands about deployed hosts reach them with the system ssh client, one connection per host.
        RemoteConnector ssh = SshHost.ConnectAsync;
        root.Subcommands.Add(DeployCommand.Create(ssh));
        root.Subcommands.Add(DeployCommand.CreateRollback(ssh));
        root.Subcommands.Add(ReleasesCommand.Create(ssh));
        root.Subcommands.Add(LogsCommand.Create(ssh, (host, command) => ((SshHost)host).StartStreaming(command)));
        return root;
    }

    private static int Check(string path)
    {
        ConfigResult result = ConfigLoader.Load(path);
        if (!ReportErrors(result))
        {
            return ExitConfigError;
        }

        // The deploy's local files are checked here, not by serve: a server never holds the deploy key.
        BerthConfig config = result.Config!;
        if (!ReportErrors(new ConfigResult(config, DeployFiles.Check(config).ToArray())))
        {
            return ExitConfigError;
        }

        // The files of apps_dir as serve would take them at its start: one with errors would be ignored there, with these errors.
        IReadOnlyList<(string Shown, AppFileResult Result)> appFiles = ConfigLoader.LoadAppsDir(config);
        if (!ReportErrors(new ConfigResult(config, appFiles.SelectMany(f => f.Result.Errors).ToArray())))
        {
            return ExitConfigError;
        }

        string deploy = config.Deploy is { } d ? $", deploy to {d.Hosts.Count} host(s) at {d.Path}" : "";
        string files = config.Server.AppsDir is null ? "" : $", {appFiles.Count} app file(s) in apps_dir";
        Console.WriteLine($"{path}: ok — {config.Apps.Count} app(s), {config.Sites.Count} site(s){files}{deploy}");
        return 0;
    }

    private static async Task<int> ServeAsync(ParseResult parse, ServeOptions o, CancellationToken cancellationToken)
    {
        BerthConfig? fromFile = null;
        if (parse.GetValue(o.Config) is { } path)
        {
            ConfigResult loaded = ConfigLoader.Load(path);
            if (!ReportErrors(loaded))
            {
                return ExitConfigError;
            }

            fromFile = loaded.Config;
        }
        else if (parse.GetValue(o.Module) is null)
        {
            Console.Error.WriteLine("berth serve: nothing to serve. Give the app as MODULE:CALLABLE (e.g. `berth serve myproject.wsgi:application`) or a config with --config berth.yml.");
            return ExitConfigError;
        }

        var overrides = new ConfigOverrides
        {
            Module = parse.GetValue(o.Module),
            Workers = parse.GetValue(o.Workers),
            Threads = parse.GetValue(o.Threads),
            Connections = parse.GetValue(o.Connections),
            Preload = parse.GetResult(o.Preload) is null ? null : parse.GetValue(o.Preload), // absent: the file decides
            Binds = parse.GetValue(o.Bind) ?? [],
            Chdir = parse.GetValue(o.Chdir),
            Python = parse.GetValue(o.Python),
            Venv = parse.GetValue(o.Venv),
            Static = parse.GetValue(o.Static) ?? [],
            AccessLog = parse.GetValue(o.AccessLogFile),
            GracefulTimeout = parse.GetValue(o.GracefulTimeout),
            ForwardedAllowIps = parse.GetValue(o.ForwardedAllowIps),
            MaxBodySize = parse.GetValue(o.MaxBodySize),
            CertFile = parse.GetValue(o.CertFile),
            KeyFile = parse.GetValue(o.KeyFile),
            Interface = parse.GetValue(o.Interface),
            Timeout = parse.GetValue(o.Timeout),
            MaxRequests = parse.GetValue(o.MaxRequests),
            MaxRequestsJitter = parse.GetValue(o.MaxRequestsJitter),
            MaxLifetime = parse.GetValue(o.MaxLifetime),
            MaxLifetimeJitter = parse.GetValue(o.MaxLifetimeJitter),
            MaxMemory = parse.GetValue(o.MaxMemory),
            WebSocketDrainTimeout = parse.GetValue(o.WebSocketDrainTimeout),
            WebSocketPingInterval = parse.GetValue(o.WebSocketPingInterval),
            WebSocketIdleTimeout = parse.GetValue(o.WebSocketIdleTimeout),
        };
        ConfigResult result = ConfigBuilder.Apply(fromFile, overrides);
        if (!ReportErrors(result))
        {
            return ExitConfigError;
        }

        string control = parse.GetValue(o.Control)!;
        string? pidPath = parse.GetValue(o.PidFile);
        if (parse.GetValue(o.Daemon))
        {
            var daemonPid = new PidFile(pidPath ?? DaemonLauncher.DefaultPidFile(control));
            return await DaemonLauncher.StartAsync(daemonPid, parse.GetValue(o.LogFile) ?? Path.ChangeExtension(daemonPid.Path, ".log"), cancellationToken);
        }

        using ILoggerFactory logs = LogFormatter.CreateFactory();
        // A full reload reads the file again and puts the same flags on top.
        string? configPath = parse.GetValue(o.Config);
        Func<ConfigResult>? readAgain = configPath is null ? null
            : () => ConfigLoader.Load(configPath) is var again && again.IsValid ? ConfigBuilder.Apply(again.Config, overrides) : again;
        using var master = new Master(result.Config!, control, logs, TimeProvider.System, pidPath is null ? null : new PidFile(pidPath), readAgain);
        return await master.RunAsync(cancellationToken);
    }

    internal static bool ReportErrors(ConfigResult result)
    {
        foreach (ConfigError error in result.Errors)
        {
            Console.Error.WriteLine(error.ToString());
        }

        return result.Errors.Count == 0 && result.Config is not null;
    }
}
