using YamlDotNet.RepresentationModel;

namespace Berth.Config;

internal sealed partial class ConfigReader
{
    private List<AppConfig> ReadApps(Entry block)
    {
        var apps = new List<AppConfig>();
        if (Block(block, ConfigSchema.Apps) is { } map)
        {
            foreach (Entry entry in Entries(map, block.Path, ConfigPath.Child))
            {
                apps.Add(ReadApp(entry));
            }
        }

        return apps;
    }

    private AppConfig ReadApp(Entry block)
    {
        AppConfig app = NewApp(block.Key, At(block.KeyNode));
        if (block.Value is not YamlMappingNode map)
        {
            if (block.Value is YamlScalarNode scalar && !IsEmpty(scalar))
            {
                Report(block.KeyNode, block.Path, $"must be a mapping of the app's settings, got {Describe(scalar)}",
                    $"write it as `{block.Key}: {{ module: {scalar.Value} }}`, or put module: and the app's other settings on indented lines under it");
            }
            else if (!IsEmpty(block.Value))
            {
                Report(block.KeyNode, block.Path, $"must be a mapping of the app's settings, got {Describe(block.Value)}", "put module: and the app's other settings on indented lines under the app's name");
            }

            return app;
        }

        foreach (Entry entry in Settings(map, block.Path, SettingSection.App))
        {
            app = ReadAppSetting(app, entry);
        }

        return app;
    }

    // Module stays empty when not given: the module validator says it is required, at the app's line.
    private AppConfig NewApp(string name, SourceSpan source) => new() { Name = name, Module = "", Chdir = _baseDirectory, Source = source };

    /// <summary><paramref name="app"/> with one of its settings (a key of <see cref="ConfigSchema.AppKeys"/>) read.</summary>
    private AppConfig ReadAppSetting(AppConfig app, Entry entry)
    {
        switch (entry.Key)
        {
            case "module":
                app = app with { Module = Text(entry, ConfigSchema.Module)?.Trim() ?? "" };
                break;
            case "interface":
                if (Text(entry, ConfigSchema.Interface) is { } kind)
                {
                    if (Enum.TryParse(kind, ignoreCase: true, out AppInterface parsed) && kind.All(char.IsAsciiLetter))
                    {
                        app = app with { Interface = parsed };
                    }
                    else
                    {
                        Invalid(entry, ConfigSchema.Interface, Quote(kind));
                    }
                }

                break;
            case "workers":
                app = app with { Workers = WholeNumber(entry, ConfigSchema.Workers) ?? app.Workers };
                break;
            case "threads":
                app = app with { Threads = WholeNumber(entry, ConfigSchema.Threads) ?? app.Threads };
                break;
            case "connections":
                app = app with { Connections = WholeNumber(entry, ConfigSchema.Connections) ?? app.Connections };
                break;
            case "preload":
                app = app with { Preload = Boolean(entry, ConfigSchema.Preload) ?? app.Preload };
                break;
            case "queue":
                app = app with { QueueSize = WholeNumber(entry, ConfigSchema.Queue) ?? app.QueueSize };
                break;
            case "timeout":
                app = app with { Timeout = Parsed<TimeSpan>(entry, ConfigSchema.Timeout, Duration.TryParse) ?? app.Timeout };
                break;
            case "heartbeat":
                app = app with { Heartbeat = Parsed<TimeSpan>(entry, ConfigSchema.Heartbeat, Duration.TryParse) ?? app.Heartbeat };
                break;
            case "max_requests":
                app = app with { MaxRequests = WholeNumber(entry, ConfigSchema.MaxRequests) ?? app.MaxRequests };
                break;
            case "max_requests_jitter":
                app = app with { MaxRequestsJitter = WholeNumber(entry, ConfigSchema.MaxRequestsJitter) ?? app.MaxRequestsJitter };
                break;
            case "max_lifetime":
                app = app with { MaxLifetime = Parsed<TimeSpan>(entry, ConfigSchema.MaxLifetime, Duration.TryParse) is { } lifetime ? AppConfig.LifetimeOrNever(lifetime) : app.MaxLifetime };
                break;
            case "max_lifetime_jitter":
                app = app with { MaxLifetimeJitter = Parsed<TimeSpan>(entry, ConfigSchema.MaxLifetimeJitter, Duration.TryParse) ?? app.MaxLifetimeJitter };
                break;
            case "websocket_ping_interval":
                app = app with { WebSocketPingInterval = Parsed<TimeSpan>(entry, ConfigSchema.WebSocketPingInterval, Duration.TryParse) ?? app.WebSocketPingInterval };
                break;
            case "websocket_idle_timeout":
                app = app with { WebSocketIdleTimeout = Parsed<TimeSpan>(entry, ConfigSchema.WebSocketIdleTimeout, Duration.TryParse) ?? app.WebSocketIdleTimeout };
                break;
            case "websocket_drain_timeout":
                app = app with { WebSocketDrainTimeout = Parsed<TimeSpan>(entry, ConfigSchema.WebSocketDrainTimeout, Duration.TryParse) ?? app.WebSocketDrainTimeout };
                break;
            case "max_memory":
                app = app with { MaxMemoryMb = Parsed<long>(entry, ConfigSchema.MaxMemory, ByteSize.TryParseMegabytes) ?? app.MaxMemoryMb };
                break;
            case "python":
                // A bare name (python3) is looked up on PATH when the worker starts; anything with a slash is a path.
                app = app with { Python = Text(entry, ConfigSchema.Python) is { } python ? (python.Contains('/', StringComparison.Ordinal) ? Resolve(python) : python) : null };
                break;
            case "venv":
                app = app with { Venv = ResolvedPath(entry, ConfigSchema.Venv) };
                break;
            case "chdir":
                app = app with { Chdir = ResolvedPath(entry, ConfigSchema.Chdir) ?? _baseDirectory };
                break;
            case "env":
                app = app with { Environment = ReadEnvironment(entry) };
                break;
            case "env_file":
                app = app with { EnvFile = Text(entry, ConfigSchema.EnvFile) is { } envFile ? Resolve(HomePath(envFile)) : null };
                break;
            default:
                throw Unread(entry);
        }

        return app;
    }

    private Dictionary<string, string> ReadEnvironment(Entry block)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Block(block, ConfigSchema.Env) is not { } map)
        {
            return variables;
        }

        foreach (Entry entry in Entries(map, block.Path, ConfigPath.Child))
        {
            // Values are the text as written: DEBUG: 0 is "0", FLAG: on is "on", and KEY: (nothing) is "".
            if (entry.Value is YamlScalarNode scalar)
            {
                variables[entry.Key] = IsEmpty(scalar) ? "" : scalar.Value ?? "";
            }
            else
            {
                Report(entry.KeyNode, entry.Path, $"must be text, got {Describe(entry.Value)}",
                    "an environment variable holds one string; quote it (KEY: \"a,b\") if it contains commas or brackets");
            }
        }

        return variables;
    }
}
