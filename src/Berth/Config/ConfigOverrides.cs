namespace Berth.Config;

/// <summary>
/// What the command line says, before it is checked. Values berth parses itself (sizes, durations, addresses,
/// <c>URL=DIR</c>) stay text here so that their errors read the same as in berth.yml and name the flag.
/// Empty means "not given". See <see cref="ConfigBuilder.Apply"/> for how each one combines with a file.
/// </summary>
public sealed record ConfigOverrides
{
    /// <summary>What errors call the positional argument of <c>berth serve</c>.</summary>
    public const string ModuleArgument = "MODULE:CALLABLE";

    /// <summary>The app to serve without a file (<c>berth serve app:application</c>), or a new module for the one app of a file.</summary>
    public string? Module { get; init; }

    public int? Workers { get; init; }

    public int? Threads { get; init; }

    public int? Connections { get; init; }

    /// <summary><c>--preload</c>: true for every app; null leaves the file's <c>preload:</c> as it is.</summary>
    public bool? Preload { get; init; }

    /// <summary>Replace the listen addresses of every site; with no file, the one site's (default <c>127.0.0.1:8000</c>).</summary>
    public IReadOnlyList<string> Binds { get; init; } = [];

    public string? Chdir { get; init; }

    public string? Python { get; init; }

    public string? Venv { get; init; }

    /// <summary><c>URL=DIR</c> pairs (uWSGI's <c>--static-map</c>), added to every site; one with a prefix the file
    /// already mounts replaces that mount.</summary>
    public IReadOnlyList<string> Static { get; init; } = [];

    public string? AccessLog { get; init; }

    public string? GracefulTimeout { get; init; }

    /// <summary>Comma-separated, as gunicorn takes it, or <c>*</c>.</summary>
    public string? ForwardedAllowIps { get; init; }

    public string? MaxBodySize { get; init; }

    /// <summary><c>--certfile</c> and <c>--keyfile</c> (gunicorn's): every site serves HTTPS with this certificate.</summary>
    public string? CertFile { get; init; }

    public string? KeyFile { get; init; }

    public string? Interface { get; init; }

    public string? Timeout { get; init; }

    public int? MaxRequests { get; init; }

    public int? MaxRequestsJitter { get; init; }

    /// <summary>A duration; 0 turns the file's max_lifetime: off.</summary>
    public string? MaxLifetime { get; init; }

    public string? MaxLifetimeJitter { get; init; }

    /// <summary>A size in whole megabytes, such as 512M; 0 turns the file's max_memory: off.</summary>
    public string? MaxMemory { get; init; }

    /// <summary>A duration; 0 closes a retiring worker's WebSockets at once.</summary>
    public string? WebSocketDrainTimeout { get; init; }
    public string? WebSocketPingInterval { get; init; }
    public string? WebSocketIdleTimeout { get; init; }
}
