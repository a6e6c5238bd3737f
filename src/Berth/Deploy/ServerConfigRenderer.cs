using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Berth.Config;

namespace Berth.Deploy;

/// <summary>
/// The berth.yml a host serves, <c>{path}/.deploy/berth.yml</c>: the project's apps, sites and server settings as
/// the user wrote them, without <c>deploy:</c>, and with every path absolute so that the file means on the host what
/// berth.yml means in the checkout. berth reads paths relative to the config file's directory (ConfigReader), and
/// this file sits in .deploy/, not in the release, so nothing in it may be relative:
/// <list type="bullet">
/// <item>what comes with the code (chdir, static directories, cert/key files, apps_dir) points into
/// <c>{path}/current</c>, which the switch re-points; workers started by a reload resolve it anew;</item>
/// <item>what berth writes (storage:, access_log:, runtime_dir:, a unix socket) goes to <c>{path}/shared</c>, which
/// outlives releases; absolute paths outside the checkout are kept as written;</item>
/// <item>every app runs with <c>{path}/current/.venv</c> (the deploy's virtualenv; python: is dropped, it would
/// override it) and, when deploy: env_file: is set, <c>{path}/shared/.env</c> as its env_file.</item>
/// </list>
/// The output depends on nothing but its input (no time, no machine), so its sha256 tells whether the host's copy
/// is current.
/// </summary>
public static class ServerConfigRenderer
{
    public static string Render(BerthConfig config, DeploySettings deploy)
    {
        string localBase = config.Path is { } file ? Path.GetDirectoryName(file)! : throw new ArgumentException("the config must come from a file: its paths are relative to it", nameof(config));
        var paths = new PathMap(localBase, deploy);
        var yaml = new YamlText();
        yaml.Comment("The berth.yml this host serves, rendered by `berth deploy` from the project's berth.yml (its deploy: section left out).");
        yaml.Comment($"Code paths point into {paths.Layout.Current}, the live release; data paths into {paths.Layout.Shared}. The next deploy replaces this file.");
        WriteServer(yaml, config.Server, paths);
        WriteApps(yaml, config.Apps, deploy, paths);
        WriteSites(yaml, config, paths);
        return yaml.ToString();
    }

    private static void WriteServer(YamlText yaml, ServerSettings server, PathMap paths)
    {
        var defaults = new ServerSettings();
        var lines = new List<(string, string)>();
        if (server.AccessLog is { } log)
        {
            lines.Add(("access_log", YamlText.Quote(log == "-" ? log : paths.Data(log))));
        }

        if (server.GracefulTimeout != defaults.GracefulTimeout)
        {
            lines.Add(("graceful_timeout", Duration.Format(server.GracefulTimeout)));
        }

        if (!server.ForwardedAllowIps.SequenceEqual(defaults.ForwardedAllowIps))
        {
            lines.Add(("forwarded_allow_ips", YamlText.List(server.ForwardedAllowIps)));
        }

        if (server.MaxBodySize != defaults.MaxBodySize)
        {
            lines.Add(("max_body_size", ByteSize.Format(server.MaxBodySize)));
        }

        if (server.RuntimeDir is { } runtime)
        {
            lines.Add(("runtime_dir", YamlText.Quote(paths.Data(runtime))));
        }

        if (server.AppsDir is { } appsDir)
        {
            lines.Add(("apps_dir", YamlText.Quote(paths.Code(appsDir))));
        }

        if (server.Storage != defaults.Storage)
        {
            lines.Add(("storage", YamlText.Quote(paths.Data(server.Storage))));
        }

        if (server.AcmeDirectory != defaults.AcmeDirectory)
        {
            lines.Add(("acme_directory", YamlText.Quote(server.AcmeDirectory)));
        }

        if (server.AcmeEmail is { } email)
        {
            lines.Add(("acme_email", YamlText.Quote(email)));
        }

        if (server.AcmeCaBundle is { } bundle)
        {
            lines.Add(("acme_ca_bundle", YamlText.Quote(paths.Code(bundle))));
        }

        if (lines.Count > 0)
        {
            yaml.Key(0, "server");
            foreach ((string key, string value) in lines)
            {
                yaml.Line(1, key, value);
            }
        }
    }

    private static void WriteApps(YamlText yaml, IReadOnlyList<AppConfig> apps, DeploySettings deploy, PathMap paths)
    {
        if (apps.Count == 0)
        {
            return;
        }

        var defaults = new AppConfig { Name = "", Module = "" };
        yaml.Key(0, "apps");
        foreach (AppConfig app in apps)
        {
            yaml.Key(1, YamlText.Quote(app.Name));
            yaml.Line(2, "module", YamlText.Quote(app.Module));
            if (app.Interface != defaults.Interface)
            {
                yaml.Line(2, "interface", app.Interface.ToString().ToLowerInvariant());
            }

            yaml.Line(2, "workers", Number(app.Workers));
            Optional(yaml, "threads", app.Threads, defaults.Threads);
            Optional(yaml, "connections", app.Connections, defaults.Connections);
            if (app.Preload)
            {
                yaml.Line(2, "preload", "true");
            }

            yaml.Line(2, "venv", YamlText.Quote(paths.Layout.CurrentVenv));
            yaml.Line(2, "chdir", YamlText.Quote(paths.Code(app.Chdir ?? paths.LocalBase)));
            string? envFile = deploy.EnvFile is not null ? paths.Layout.SharedEnvFile : app.EnvFile is { } own ? paths.Code(own) : null;
            if (envFile is not null)
            {
                yaml.Line(2, "env_file", YamlText.Quote(envFile));
            }

            if (app.Environment.Count > 0)
            {
                yaml.Key(2, "env");
                foreach ((string name, string value) in app.Environment)
                {
                    yaml.Line(3, YamlText.Quote(name), YamlText.Quote(value));
                }
            }

            Optional(yaml, "queue", app.QueueSize, defaults.QueueSize);
            if (app.Timeout != defaults.Timeout)
            {
                yaml.Line(2, "timeout", Duration.Format(app.Timeout));
            }

            Optional(yaml, "max_requests", app.MaxRequests, defaults.MaxRequests);
            Optional(yaml, "max_requests_jitter", app.MaxRequestsJitter, defaults.MaxRequestsJitter);
            if (app.MaxLifetime is { } lifetime)
            {
                yaml.Line(2, "max_lifetime", Duration.Format(lifetime));
            }

            if (app.MaxLifetimeJitter != defaults.MaxLifetimeJitter)
            {
                yaml.Line(2, "max_lifetime_jitter", Duration.Format(app.MaxLifetimeJitter));
            }

            if (app.MaxMemoryMb != defaults.MaxMemoryMb)
            {
                yaml.Line(2, "max_memory", Number(app.MaxMemoryMb) + "M");
            }

            if (app.Heartbeat != defaults.Heartbeat)
            {
                yaml.Line(2, "heartbeat", Duration.Format(app.Heartbeat));
            }

            if (app.WebSocketDrainTimeout != defaults.WebSocketDrainTimeout)
            {
                yaml.Line(2, "websocket_drain_timeout", Duration.Format(app.WebSocketDrainTimeout));
            }

            if (app.WebSocketPingInterval != defaults.WebSocketPingInterval)
            {
                yaml.Line(2, "websocket_ping_interval", Duration.Format(app.WebSocketPingInterval));
            }

            if (app.WebSocketIdleTimeout != defaults.WebSocketIdleTimeout)
            {
                yaml.Line(2, "websocket_idle_timeout", Duration.Format(app.WebSocketIdleTimeout));
            }
        }

        static void Optional(YamlText text, string key, long value, long defaultValue)
        {
            if (value != defaultValue)
            {
                text.Line(2, key, Number(value));
            }
        }
    }

    private static void WriteSites(YamlText yaml, BerthConfig config, PathMap paths)
    {
        // Sites of apps_dir files come back from those files on the host; the implicit site of a file without
        // sites: (ImplicitSite) comes back by itself, and written out it would no longer be implicit.
        SiteConfig[] sites = config.Sites.Where(s => !s.FromAppFile && IsWritten(config, s)).ToArray();
        if (sites.Length == 0)
        {
            return;
        }

        yaml.Key(0, "sites");
        foreach (SiteConfig site in sites)
        {
            yaml.Key(1, YamlText.Quote(site.Name));
            yaml.Line(2, "listen", YamlText.List(site.Listen.Select(l => Listen(l, paths))));
            if (site.Hosts.Count > 0)
            {
                yaml.Line(2, "hosts", YamlText.List(site.Hosts));
            }

            if (site.Static.Count > 0)
            {
                yaml.Key(2, "static");
                foreach (StaticMount mount in site.Static)
                {
                    yaml.Line(3, YamlText.Quote(mount.UrlPrefix), YamlText.Quote(paths.Code(mount.Directory)));
                }
            }

            if (site.Mounts.Count > 0)
            {
                yaml.Key(2, "mounts");
                foreach (AppMount mount in site.Mounts)
                {
                    yaml.Line(3, YamlText.Quote(mount.UrlPrefix), YamlText.Quote(mount.App));
                }
            }

            if (site.Tls is { } tls)
            {
                WriteTls(yaml, tls, paths);
            }
        }
    }

    private static void WriteTls(YamlText yaml, TlsConfig tls, PathMap paths)
    {
        yaml.Key(2, "tls");
        switch (tls.Mode)
        {
            case TlsMode.Files:
                if (tls.CertFile is { } cert)
                {
                    yaml.Line(3, "cert", YamlText.Quote(paths.Code(cert)));
                }

                if (tls.KeyFile is { } key)
                {
                    yaml.Line(3, "key", YamlText.Quote(paths.Code(key)));
                }

                break;
            case TlsMode.Acme:
                yaml.Line(3, "issuer", "acme");
                break;
            case TlsMode.Internal:
                yaml.Line(3, "issuer", "internal");
                break;
        }

        if (tls.Challenge == AcmeChallenge.TlsAlpn01)
        {
            yaml.Line(3, "challenge", "tls-alpn-01");
        }

        if (tls.RedirectFrom is { } redirect)
        {
            yaml.Line(3, "redirect_from", YamlText.Quote(Listen(redirect, paths)));
        }

        if (tls.Hsts is { } hsts)
        {
            yaml.Line(3, "hsts", Duration.Format(hsts));
        }
    }

    private static bool IsWritten(BerthConfig config, SiteConfig site)
    {
        var nowhere = new SourceSpan("", -1);
        return config.SourceMap.Locate(ConfigPath.Site(site.Name), nowhere).Source != nowhere;
    }

    private static string Listen(ListenAddress address, PathMap paths) =>
        address.UnixPath is { } socket ? "unix:" + paths.Data(socket) : address.ToString();

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Where a path of the checkout is on the host.</summary>
    private sealed class PathMap(string localBase, DeploySettings deploy)
    {
        public string LocalBase { get; } = localBase;

        public DeployPaths Layout { get; } = new(deploy.Path);

        private string CodeRoot => deploy.ConfigDirectoryInRepository.Length == 0
            ? Layout.Current
            : Layout.Current + "/" + deploy.ConfigDirectoryInRepository.Replace(Path.DirectorySeparatorChar, '/');

        private string DataRoot => Layout.Shared;

        /// <summary>Part of the release: under <c>current/</c>.</summary>
        public string Code(string path) => Map(path, CodeRoot);

        /// <summary>Written by berth and kept across releases: under <c>shared/</c>.</summary>
        public string Data(string path) => Map(path, DataRoot);

        private string Map(string path, string root)
        {
            if (path == LocalBase)
            {
                return root;
            }

            string prefix = LocalBase.EndsWith('/') ? LocalBase : LocalBase + "/";
            return path.StartsWith(prefix, StringComparison.Ordinal) ? root + "/" + path[prefix.Length..] : path;
        }
    }

    /// <summary>Block-style YAML, two spaces an indent, every string double-quoted. A JSON string is a YAML
    /// double-quoted scalar (YAML 1.2 reads JSON), so quoting cannot go wrong for any text.</summary>
    private sealed class YamlText
    {
        private readonly StringBuilder _text = new();

        public static string Quote(string value) => "\"" + JsonEncodedText.Encode(value, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).ToString() + "\"";

        public static string List(IEnumerable<string> values) => "[" + string.Join(", ", values.Select(Quote)) + "]";

        public void Comment(string text) => _text.Append("# ").Append(text).Append('\n');

        public void Key(int depth, string key) => _text.Append(' ', depth * 2).Append(key).Append(":\n");

        public void Line(int depth, string key, string value) => _text.Append(' ', depth * 2).Append(key).Append(": ").Append(value).Append('\n');

        public override string ToString() => _text.ToString();
    }
}
