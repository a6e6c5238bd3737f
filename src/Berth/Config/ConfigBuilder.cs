namespace Berth.Config;

/// <summary>
/// Combines berth.yml with the command line, or builds a whole config from the command line alone.
/// <list type="bullet">
/// <item>No file: <c>berth serve app:application</c> is one app, named after the module's last component
/// (<c>myproject.wsgi</c> → <c>wsgi</c>), importing from the current directory, mounted at / of one default site
/// on the --bind addresses (127.0.0.1:8000 when none, like gunicorn), plus any --static directories.</item>
/// <item>With a file, flags win: --workers, --threads, --preload, --python, --venv, --chdir, --interface, --timeout and the
/// recycling flags (--max-requests, --max-requests-jitter, --max-lifetime, --max-lifetime-jitter, --max-memory) apply
/// to every app (--python drops the file's venv: and --venv its python:); --bind replaces the listen: of every site;
/// --static adds to every site, replacing a mount of the same prefix; the server flags replace their setting.
/// A MODULE:CALLABLE next to a file replaces the module of its one app.</item>
/// </list>
/// Relative paths in flags are relative to the current directory, as a shell user expects. Errors name the flag.
/// The result is validated again, so <c>--workers 0</c> gets the same message as <c>workers: 0</c>.
/// </summary>
public static class ConfigBuilder
{
    public static ConfigResult Apply(BerthConfig? fromFile, ConfigOverrides overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        var errors = new List<ConfigError>();
        string here = Directory.GetCurrentDirectory();
        BerthConfig config;
        if (fromFile is not null)
        {
            config = WithModule(fromFile, overrides.Module, errors);
        }
        else if (string.IsNullOrWhiteSpace(overrides.Module))
        {
            return ConfigResult.Failed([new ConfigError(SourceSpan.CommandLine, ConfigOverrides.ModuleArgument, "nothing to serve: no app and no config file",
                "give the app as MODULE:CALLABLE, such as `berth serve myproject.wsgi:application`, or a berth.yml with --config")]);
        }
        else
        {
            config = FromModule(overrides.Module.Trim(), here);
        }

        config = ApplyServer(config, overrides, here, errors);
        config = ApplyApps(config, overrides, here, errors);
        config = ApplySites(config, overrides, here, errors);
        return ConfigValidators.Check(config, errors);
    }

    /// <summary>The name an app served without a file goes by: <c>myproject.wsgi:application</c> → <c>wsgi</c>.</summary>
    public static string AppNameFor(string module)
    {
        string path = module.Split(':', 2)[0];
        return Validators.NameValidator.Suggest(path[(path.LastIndexOf('.') + 1)..], allowDots: false);
    }

    private static BerthConfig FromModule(string module, string here)
    {
        string name = AppNameFor(module);
        var app = new AppConfig { Name = name, Module = module, Chdir = here, Source = SourceSpan.CommandLine };
        ConfigSourceMap map = ConfigSourceMap.Empty
            .With("", SourceSpan.CommandLine, "")
            .With(ConfigPath.App(name), SourceSpan.CommandLine, ConfigOverrides.ModuleArgument)
            .With(ConfigPath.App(name, ConfigSchema.Module.Key), SourceSpan.CommandLine, ConfigOverrides.ModuleArgument);
        return ImplicitSite.AddIfMissing(new BerthConfig(new ServerSettings(), [], [app], null) { SourceMap = map });
    }

    private static BerthConfig WithModule(BerthConfig config, string? module, List<ConfigError> errors)
    {
        if (string.IsNullOrWhiteSpace(module))
        {
            return config;
        }

        if (config.Apps.Count != 1)
        {
            errors.Add(new ConfigError(SourceSpan.CommandLine, ConfigOverrides.ModuleArgument,
                $"names one app, but the config file defines {config.Apps.Count}",
                "leave it out and set module: of each app in the file"));
            return config;
        }

        AppConfig app = config.Apps[0];
        return config with
        {
            Apps = [app with { Module = module.Trim() }],
            SourceMap = config.SourceMap.With(ConfigPath.App(app.Name, ConfigSchema.Module.Key), SourceSpan.CommandLine, ConfigOverrides.ModuleArgument),
        };
    }

    private static BerthConfig ApplyServer(BerthConfig config, ConfigOverrides o, string here, List<ConfigError> errors)
    {
        ServerSettings server = config.Server;
        ConfigSourceMap map = config.SourceMap;
        if (o.AccessLog is { } log)
        {
            server = server with { AccessLog = log == "-" ? log : RelativePath.Resolve(log, here) };
            map = Flagged(map, ConfigPath.ServerKey(ConfigSchema.AccessLog.Key), ConfigSchema.AccessLog);
        }

        if (Parsed<TimeSpan>(o.GracefulTimeout, ConfigSchema.GracefulTimeout, Duration.TryParse, errors) is { } graceful)
        {
            server = server with { GracefulTimeout = graceful };
            map = Flagged(map, ConfigPath.ServerKey(ConfigSchema.GracefulTimeout.Key), ConfigSchema.GracefulTimeout);
        }

        if (Parsed<long>(o.MaxBodySize, ConfigSchema.MaxBodySize, ByteSize.TryParse, errors) is { } bytes)
        {
            server = server with { MaxBodySize = bytes };
            map = Flagged(map, ConfigPath.ServerKey(ConfigSchema.MaxBodySize.Key), ConfigSchema.MaxBodySize);
        }

        if (o.ForwardedAllowIps is { } ips)
        {
            string[] entries = ips.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            string path = ConfigPath.ServerKey(ConfigSchema.ForwardedAllowIps.Key);
            server = server with { ForwardedAllowIps = entries };
            map = Flagged(map.Without(path), path, ConfigSchema.ForwardedAllowIps);
            for (int i = 0; i < entries.Length; i++)
            {
                map = Flagged(map, ConfigPath.Item(path, i), ConfigSchema.ForwardedAllowIps);
            }
        }

        return config with { Server = server, SourceMap = map };
    }

    private static BerthConfig ApplyApps(BerthConfig config, ConfigOverrides o, string here, List<ConfigError> errors)
    {
        AppInterface? kind = Parsed(o.Interface, ConfigSchema.Interface,
            (string? text, out AppInterface parsed) => Enum.TryParse(text, ignoreCase: true, out parsed) && text is not null && text.All(char.IsAsciiLetter), errors);
        TimeSpan? timeout = Parsed<TimeSpan>(o.Timeout, ConfigSchema.Timeout, Duration.TryParse, errors);
        TimeSpan? lifetime = Parsed<TimeSpan>(o.MaxLifetime, ConfigSchema.MaxLifetime, Duration.TryParse, errors);
        TimeSpan? lifetimeJitter = Parsed<TimeSpan>(o.MaxLifetimeJitter, ConfigSchema.MaxLifetimeJitter, Duration.TryParse, errors);
        long? memory = Parsed<long>(o.MaxMemory, ConfigSchema.MaxMemory, ByteSize.TryParseMegabytes, errors);
        TimeSpan? webSocketDrain = Parsed<TimeSpan>(o.WebSocketDrainTimeout, ConfigSchema.WebSocketDrainTimeout, Duration.TryParse, errors);
        TimeSpan? webSocketPing = Parsed<TimeSpan>(o.WebSocketPingInterval, ConfigSchema.WebSocketPingInterval, Duration.TryParse, errors);
        TimeSpan? webSocketIdle = Parsed<TimeSpan>(o.WebSocketIdleTimeout, ConfigSchema.WebSocketIdleTimeout, Duration.TryParse, errors);

        // A bare name (python3) is found on PATH; anything with a slash is a path, relative to here.
        string? python = o.Python is { } p ? (p.Contains('/', StringComparison.Ordinal) ? RelativePath.Resolve(p, here) : p) : null;
        string? venv = o.Venv is { } v ? RelativePath.Resolve(v, here) : null;
        string? chdir = o.Chdir is { } c ? RelativePath.Resolve(c, here) : null;

        ConfigSourceMap map = config.SourceMap;
        var apps = new List<AppConfig>();
        foreach (AppConfig original in config.Apps)
        {
            AppConfig app = original;
            string Key(Setting setting) => ConfigPath.App(app.Name, setting.Key);

            // The flag's value, if it was given, replaces the app's setting and takes over its place in the source map.
            AppConfig Override<T>(T? value, Setting setting, Func<AppConfig, T, AppConfig> with)
                where T : struct
            {
                if (value is not { } given)
                {
                    return app;
                }

                map = Flagged(map, Key(setting), setting);
                return with(app, given);
            }

            app = Override(o.Workers, ConfigSchema.Workers, (a, v) => a with { Workers = v });
            app = Override(o.Threads, ConfigSchema.Threads, (a, v) => a with { Threads = v });
            app = Override(o.Connections, ConfigSchema.Connections, (a, v) => a with { Connections = v });
            app = Override(o.Preload, ConfigSchema.Preload, (a, v) => a with { Preload = v });
            app = Override(kind, ConfigSchema.Interface, (a, v) => a with { Interface = v });
            app = Override(timeout, ConfigSchema.Timeout, (a, v) => a with { Timeout = v });
            app = Override(o.MaxRequests, ConfigSchema.MaxRequests, (a, v) => a with { MaxRequests = v });
            app = Override(o.MaxRequestsJitter, ConfigSchema.MaxRequestsJitter, (a, v) => a with { MaxRequestsJitter = v });
            app = Override(lifetime, ConfigSchema.MaxLifetime, (a, v) => a with { MaxLifetime = AppConfig.LifetimeOrNever(v) });
            app = Override(lifetimeJitter, ConfigSchema.MaxLifetimeJitter, (a, v) => a with { MaxLifetimeJitter = v });
            app = Override(memory, ConfigSchema.MaxMemory, (a, v) => a with { MaxMemoryMb = v });
            app = Override(webSocketDrain, ConfigSchema.WebSocketDrainTimeout, (a, v) => a with { WebSocketDrainTimeout = v });
            app = Override(webSocketPing, ConfigSchema.WebSocketPingInterval, (a, v) => a with { WebSocketPingInterval = v });
            app = Override(webSocketIdle, ConfigSchema.WebSocketIdleTimeout, (a, v) => a with { WebSocketIdleTimeout = v });

            // The flags choose the interpreter over the file: --python sets aside venv: and --venv sets aside python:.
            // Both flags at once are left for InterpreterValidator to refuse.
            if (python is not null || venv is not null)
            {
                app = app with { Python = python, Venv = venv };
                map = python is null ? map : Flagged(map, Key(ConfigSchema.Python), ConfigSchema.Python);
                map = venv is null ? map : Flagged(map, Key(ConfigSchema.Venv), ConfigSchema.Venv);
            }

            if (chdir is not null)
            {
                app = app with { Chdir = chdir };
                map = Flagged(map, Key(ConfigSchema.Chdir), ConfigSchema.Chdir);
            }

            apps.Add(app);
        }

        return config with { Apps = apps, SourceMap = map };
    }

    private static BerthConfig ApplySites(BerthConfig config, ConfigOverrides o, string here, List<ConfigError> errors)
    {
        var binds = new List<ListenAddress>();
        foreach (string bind in o.Binds)
        {
            if (ListenAddressParser.TryParse(bind, SourceSpan.CommandLine, here, out ListenAddress? address, out string problem))
            {
                binds.Add(address!);
            }
            else
            {
                errors.Add(new ConfigError(SourceSpan.CommandLine, ConfigSchema.Listen.Flag!, $"\"{bind}\" {problem}", ConfigSchema.Listen.FixFor(SourceSpan.CommandLine)));
            }
        }

        var statics = new List<StaticMount>();
        foreach (string pair in o.Static)
        {
            int equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || equals == pair.Length - 1)
            {
                errors.Add(new ConfigError(SourceSpan.CommandLine, ConfigSchema.Static.Flag!, $"\"{pair}\" is not URL=DIR",
                    "write the URL prefix, an equals sign and the directory, such as --static /static=./static"));
                continue;
            }

            statics.Add(new StaticMount(pair[..equals].Trim(), RelativePath.Resolve(pair[(equals + 1)..].Trim(), here), SourceSpan.CommandLine));
        }

        if ((o.CertFile is null) != (o.KeyFile is null))
        {
            Setting given = o.CertFile is null ? ConfigSchema.Key : ConfigSchema.Cert;
            Setting missing = o.CertFile is null ? ConfigSchema.Cert : ConfigSchema.Key;
            errors.Add(new ConfigError(SourceSpan.CommandLine, given.Flag!, $"needs {missing.Flag} next to it",
                $"give both: {ConfigSchema.Cert.Flag} fullchain.pem {ConfigSchema.Key.Flag} privkey.pem"));
        }

        TlsConfig? tls = o.CertFile is { } certFile && o.KeyFile is { } keyFile
            ? new TlsConfig(TlsMode.Files, RelativePath.Resolve(certFile, here), RelativePath.Resolve(keyFile, here), SourceSpan.CommandLine)
            : null;

        ConfigSourceMap map = config.SourceMap;
        var sites = new List<SiteConfig>();
        foreach (SiteConfig original in config.Sites)
        {
            SiteConfig site = original;
            if (tls is not null)
            {
                // The file's redirect and HSTS stay; the certificate is the flags'.
                site = site with { Tls = tls with { RedirectFrom = site.Tls?.RedirectFrom, Hsts = site.Tls?.Hsts } };
                map = Flagged(map, ConfigPath.Child(ConfigPath.Site(site.Name, ConfigSchema.Tls.Key), ConfigSchema.Cert.Key), ConfigSchema.Cert);
                map = Flagged(map, ConfigPath.Child(ConfigPath.Site(site.Name, ConfigSchema.Tls.Key), ConfigSchema.Key.Key), ConfigSchema.Key);
            }

            if (binds.Count > 0)
            {
                string listen = ConfigPath.Site(site.Name, ConfigSchema.Listen.Key);
                site = site with { Listen = binds };
                map = map.Without(listen);
                for (int i = 0; i < binds.Count; i++)
                {
                    map = Flagged(map, ConfigPath.Item(listen, i), ConfigSchema.Listen);
                }
            }

            if (statics.Count > 0)
            {
                string prefixes = ConfigPath.Site(site.Name, ConfigSchema.Static.Key);
                List<StaticMount> kept = [];
                foreach (StaticMount mount in site.Static)
                {
                    if (statics.Any(s => SamePrefix(s.UrlPrefix, mount.UrlPrefix)))
                    {
                        map = map.Without(ConfigPath.Entry(prefixes, mount.UrlPrefix));
                    }
                    else
                    {
                        kept.Add(mount);
                    }
                }

                site = site with { Static = [.. kept, .. statics] };
                foreach (StaticMount mount in statics)
                {
                    map = Flagged(map, ConfigPath.Entry(prefixes, mount.UrlPrefix), ConfigSchema.Static);
                }
            }

            sites.Add(site);
        }

        return config with { Sites = sites, SourceMap = map };
    }

    private static bool SamePrefix(string a, string b) => string.Equals(a.TrimEnd('/'), b.TrimEnd('/'), StringComparison.Ordinal);

    private static ConfigSourceMap Flagged(ConfigSourceMap map, string path, Setting setting) => map.With(path, SourceSpan.CommandLine, setting.Flag!);

    /// <summary>A flag's value read by <paramref name="parse"/>; null when the flag was not given, or when its value
    /// is unreadable (reported, naming the flag).</summary>
    private static T? Parsed<T>(string? text, Setting setting, ValueParser<T> parse, List<ConfigError> errors)
        where T : struct
    {
        if (text is null)
        {
            return null;
        }

        if (parse(text, out T value))
        {
            return value;
        }

        errors.Add(Invalid(setting, text));
        return null;
    }

    private static ConfigError Invalid(Setting setting, string got) =>
        new(SourceSpan.CommandLine, setting.Flag!, $"must be {setting.Expects}, got \"{got}\"", setting.FixFor(SourceSpan.CommandLine));
}
