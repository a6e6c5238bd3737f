namespace Berth.Config;

/// <summary>Where a setting came from, so an error can point at it: <c>berth.yml:12</c> or <c>--workers</c>.</summary>
public readonly record struct SourceSpan(string File, int Line)
{
    public static readonly SourceSpan CommandLine = new("command line", 0);

    public override string ToString() => Line > 0 ? $"{File}:{Line}" : File;
}

/// <summary>The whole of berth.yml after parsing and validation. Static settings (listeners) and reloadable
/// settings (sites, apps) are kept apart so a reload can swap the latter.</summary>
public sealed record BerthConfig(
    ServerSettings Server,
    IReadOnlyList<SiteConfig> Sites,
    IReadOnlyList<AppConfig> Apps,
    string? Path)
{
    /// <summary>Where each setting was written (file line or flag), so a validator can point at the exact
    /// line of <c>workers:</c> rather than at its app, and at <c>--workers</c> when a flag set it.</summary>
    public ConfigSourceMap SourceMap { get; init; } = ConfigSourceMap.Empty;

    /// <summary>The <c>deploy:</c> section, read only by <c>berth deploy</c> and its siblings; null when absent.</summary>
    public DeploySettings? Deploy { get; init; }
}

/// <summary>Settings of the master process itself; changing them needs a restart.</summary>
public sealed record ServerSettings
{
    public string? AccessLog { get; init; }                       // file path, "-" for stdout, null for none
    public TimeSpan GracefulTimeout { get; init; } = TimeSpan.FromSeconds(30);
    public IReadOnlyList<string> ForwardedAllowIps { get; init; } = ["127.0.0.1", "::1"];
    public long MaxBodySize { get; init; } = 10 * 1024 * 1024;   // bytes; nginx's client_max_body_size is 1m, Django's upload form limit 2.5m
    public string? RuntimeDir { get; init; }                      // where sockets and the shim go; default /tmp/berth-<pid>
    public string? AppsDir { get; init; }                         // one NAME.yml per app, watched (uWSGI's emperor); null for none
    public string Storage { get; init; } = "/var/lib/berth";      // certificates and the local CA; keys 0600
    public string AcmeDirectory { get; init; } = "https://acme-v02.api.letsencrypt.org/directory";
    public string? AcmeEmail { get; init; }                       // contact for expiry notices; optional (RFC 8555 7.3)
    public string? AcmeCaBundle { get; init; }                    // PEM roots trusted for the directory's HTTPS (a test server's)
}

/// <summary>A listen address: <c>HOST:PORT</c> or <c>unix:PATH</c>.</summary>
public sealed record ListenAddress(string Host, int Port, string? UnixPath, SourceSpan Source)
{
    public bool IsUnix => UnixPath is not null;

    public override string ToString() => IsUnix ? $"unix:{UnixPath}" : Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}

/// <summary>A virtual host, nginx's <c>server</c> block: which addresses, which names, what is mounted where.</summary>
public sealed record SiteConfig(
    string Name,
    IReadOnlyList<ListenAddress> Listen,
    IReadOnlyList<string> Hosts,              // empty: the default site for its listeners
    IReadOnlyList<StaticMount> Static,
    IReadOnlyList<AppMount> Mounts,
    SourceSpan Source)
{
    /// <summary>Made by the <c>hosts:</c> of an app file in apps_dir rather than written in berth.yml; an app
    /// file's <c>mount:</c> goes on berth.yml's sites only.</summary>
    public bool FromAppFile { get; init; }

    /// <summary>HTTPS for this site's listen: addresses; null serves plain HTTP.</summary>
    public TlsConfig? Tls { get; init; }
}

public enum TlsMode { Files, Internal, Acme }

public enum AcmeChallenge { Http01, TlsAlpn01 }

/// <summary>A site's <c>tls:</c>: where its certificate comes from, the plain HTTP address that redirects to it, and HSTS.</summary>
public sealed record TlsConfig(TlsMode Mode, string? CertFile, string? KeyFile, SourceSpan Source)
{
    /// <summary>A plain HTTP address answering 308 to https (except ACME's challenge path), like Caddy's port 80.</summary>
    public ListenAddress? RedirectFrom { get; init; }

    /// <summary>Strict-Transport-Security max-age on every https answer; null sends none.</summary>
    public TimeSpan? Hsts { get; init; }

    /// <summary>How an ACME server checks this machine answers for the names: HTTP-01 on redirect_from:, or TLS-ALPN-01 on the https port.</summary>
    public AcmeChallenge Challenge { get; init; }
}

/// <summary>URL prefix served from a directory by the edge (e.g. <c>/static/</c> → <c>/srv/app/static</c>).</summary>
public sealed record StaticMount(string UrlPrefix, string Directory, SourceSpan Source);

/// <summary>URL prefix handed to an app; the prefix becomes the WSGI <c>SCRIPT_NAME</c>.</summary>
public sealed record AppMount(string UrlPrefix, string App, SourceSpan Source);

public enum AppInterface { Auto, Wsgi, Asgi }

/// <summary>One Python application and how its workers run.</summary>
public sealed record AppConfig
{
    public required string Name { get; init; }
    public required string Module { get; init; }                  // "package.module:callable"
    public AppInterface Interface { get; init; } = AppInterface.Auto;
    public int Workers { get; init; } = 2;
    public int Threads { get; init; } = 1;

    /// <summary>Requests one ASGI worker runs at once on its event loop (gunicorn's worker_connections).</summary>
    public int Connections { get; init; } = 100;
    public bool Preload { get; init; }                             // import once in a zygote and fork the workers from it (gunicorn's --preload)
    public string? Python { get; init; }                           // interpreter; default: venv's, else python3 on PATH
    public string? Venv { get; init; }
    public string? Chdir { get; init; }                            // absolute once loaded
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>A file of NAME=value lines (absolute) read when the app starts and on every reload, under
    /// <see cref="Environment"/>, which wins: a Django user's .env, and the shared/.env a deploy uploads.</summary>
    public string? EnvFile { get; init; }
    public int QueueSize { get; init; } = 100;                     // requests waiting for a free worker before 503
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30); // a view silent this long gets 504 and its worker is replaced (gunicorn's --timeout, uWSGI's harakiri)

    /// <summary>
    /// How often the supervisor pings an idle worker (PING, docs/protocol.md); one that has not answered by the next
    /// ping is unresponsive, and is replaced with its Python stack in the log. A request reaches a worker hung
    /// outside any request (a thread holding the GIL, a deadlock in a background thread) and then waits for
    /// <see cref="Timeout"/>; this finds it first. gunicorn replaces a worker silent for its timeout (30 s); 10 s
    /// finds a hang within 20 s, and a worker answers from its reader in microseconds. Zero turns pings off.
    /// </summary>
    public TimeSpan Heartbeat { get; init; } = TimeSpan.FromSeconds(10);

    public int MaxRequests { get; init; }                          // recycle a worker after this many requests; 0 = never
    public int MaxRequestsJitter { get; init; }                    // plus 0..jitter, so workers do not all recycle at once
    public TimeSpan? MaxLifetime { get; init; }                    // recycle a worker after this long; null = never
    public TimeSpan MaxLifetimeJitter { get; init; }
    public long MaxMemoryMb { get; init; }                         // recycle a worker whose RSS stays above this; 0 = never

    /// <summary>
    /// How long a retiring worker (reload, recycling, scale-down) keeps its open WebSockets before the edge
    /// closes them with 1001 Going Away. 30 s, gunicorn's graceful_timeout: long enough for a message or an
    /// upload in progress to finish, short enough that a deploy's old code is gone within a minute. Waiting
    /// longer buys little: a client has to reconnect to reach the new code anyway, and 1001 tells it to.
    /// </summary>
    public TimeSpan WebSocketDrainTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often the edge pings an open WebSocket; a client that has not answered by the next ping is gone
    /// and its socket is closed. 30 s keeps NATs and proxies (which drop idle TCP after 60 s or more) from
    /// cutting a quiet socket; uvicorn's ws_ping_interval is 20 s. Zero turns pings off.
    /// </summary>
    public TimeSpan WebSocketPingInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Closes a WebSocket with 1001 when no message has passed either way for this long. Zero (the default)
    /// is never: a quiet chat must not be cut the way nginx's proxy_read_timeout cuts it after 60 s. Pings
    /// and pongs do not count as messages.
    /// </summary>
    public TimeSpan WebSocketIdleTimeout { get; init; }
    public SourceSpan Source { get; init; }

    /// <summary><c>max_lifetime: 0</c> means never, as uWSGI's <c>max-worker-lifetime = 0</c> does: taken literally, a
    /// lifetime of zero would replace every worker as soon as it was ready.</summary>
    public static TimeSpan? LifetimeOrNever(TimeSpan lifetime) => lifetime > TimeSpan.Zero ? lifetime : null;
}
