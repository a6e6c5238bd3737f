using System.CommandLine;

namespace Berth.Cli;

/// <summary>The flags of <c>berth serve</c>, named as gunicorn names them where it has them.</summary>
internal sealed class ServeOptions
{
    public Argument<string?> Module { get; } = new("MODULE:CALLABLE")
    {
        Description = "The WSGI callable to serve, e.g. myproject.wsgi:application. Not needed with --config.",
        Arity = ArgumentArity.ZeroOrOne,
    };

    public Option<string?> Config { get; } = new("--config", "-c") { Description = "berth.yml to read. Flags given next to it override it." };

    public Option<int?> Workers { get; } = new("--workers", "-w") { Description = "Python worker processes per app [default: 2]. gunicorn's rule of thumb: 2 × cores + 1." };

    public Option<string[]> Bind { get; } = new("--bind", "-b") { Description = "Address to listen on: HOST:PORT or unix:PATH. Repeat for several [default: 127.0.0.1:8000].", AllowMultipleArgumentsPerToken = false };

    public Option<int?> Threads { get; } = new("--threads") { Description = "Threads per worker: requests one worker runs at once [default: 1]." };

    public Option<int?> Connections { get; } = new("--connections", "--worker-connections") { Description = "Requests one ASGI worker runs at once on its event loop [default: 100]." };

    public Option<bool> Preload { get; } = new("--preload") { Description = "Import the app once and fork the workers from it: they start at once and share its memory until they write to it. A reload imports again [default: off]." };

    public Option<string?> Chdir { get; } = new("--chdir") { Description = "Directory to import the app from (put first on sys.path) [default: the current directory]." };

    public Option<string?> Python { get; } = new("--python") { Description = "Python interpreter for the workers [default: python3 on PATH]." };

    public Option<string?> Venv { get; } = new("--venv") { Description = "Virtualenv whose interpreter runs the workers (instead of --python)." };

    public Option<string[]> Static { get; } = new("--static") { Description = "Serve a directory at a URL prefix from the edge, never touching Python: URL=DIR, e.g. /static=./static. Repeatable." };

    public Option<string?> AccessLogFile { get; } = new("--access-logfile") { Description = "Access log (nginx combined format plus upstream time and worker): a file, or - for stdout." };

    public Option<string?> GracefulTimeout { get; } = new("--graceful-timeout") { Description = "How long in-flight requests may run after SIGTERM before workers are killed [default: 30s]." };

    public Option<string?> ForwardedAllowIps { get; } = new("--forwarded-allow-ips") { Description = "Comma-separated proxy addresses whose X-Forwarded-Proto is believed, or * [default: 127.0.0.1,::1]." };

    public Option<string?> MaxBodySize { get; } = new("--max-body-size") { Description = "Largest request body accepted, e.g. 10M; larger ones get 413 [default: 10M]." };

    public Option<string?> CertFile { get; } = new("--certfile") { Description = "PEM certificate (fullchain.pem: the certificate, then its chain): every --bind serves HTTPS, with HTTP/2. Needs --keyfile." };

    public Option<string?> KeyFile { get; } = new("--keyfile") { Description = "PEM private key of --certfile (privkey.pem)." };

    public Option<string?> Interface { get; } = new("--interface") { Description = "auto, wsgi or asgi [default: auto]." };

    public Option<string> Control { get; } = ControlOption.CreateForServe();

    public Option<bool> Daemon { get; } = new("--daemon", "-D") { Description = "Run in the background, detached from the terminal, for hosts without systemd: returns once serving (exit 0), or with serve's own exit code and the end of the log when it cannot start." };

    public Option<string?> PidFile { get; } = new("--pid-file", "--pid") { Description = "Write the server's pid to this file once it listens; removed when it stops. A file naming a running berth refuses a second start [default with --daemon: berth.pid next to the control socket]." };

    public Option<string?> LogFile { get; } = new("--log-file") { Description = "With --daemon: where the server's output goes, appended [default: the pid file's name with .log]." };

    public Option<string?> Timeout { get; } = new("--timeout", "-t") { Description = "A request whose worker sends nothing for this long gets 504, and the worker is replaced after its Python stack is dumped to the log; at least 1s [default: 30s]. uWSGI: harakiri." };

    public Option<int?> MaxRequests { get; } = new("--max-requests") { Description = "Replace a worker after it has served this many requests, to contain slow leaks; 0: never [default: 0]." };

    public Option<int?> MaxRequestsJitter { get; } = new("--max-requests-jitter") { Description = "Add a random 0 to N requests to each worker's --max-requests, so workers do not all restart at once [default: 0]." };

    public Option<string?> MaxLifetime { get; } = new("--max-lifetime") { Description = "Replace a worker once it has run this long, e.g. 1h; 0: never [default: never]. uWSGI: max-worker-lifetime." };

    public Option<string?> MaxLifetimeJitter { get; } = new("--max-lifetime-jitter") { Description = "Add a random part of this to each worker's --max-lifetime, e.g. 5m, so workers do not all restart at once [default: 0]. uWSGI: max-worker-lifetime-delta." };

    public Option<string?> MaxMemory { get; } = new("--max-memory") { Description = "Replace a worker whose memory (RSS) stays above this: whole megabytes such as 512M (a bare number is bytes), at least 16M; 0: never [default: never]. uWSGI: reload-on-rss." };

    public Option<string?> WebSocketPingInterval { get; } = new("--websocket-ping-interval") { Description = "How often open WebSockets are pinged; a client that has not answered by the next ping is closed, e.g. 30s; 0: no pings [default: 30s]. uvicorn: --ws-ping-interval." };
    public Option<string?> WebSocketIdleTimeout { get; } = new("--websocket-idle-timeout") { Description = "Close a WebSocket with 1001 after no message either way for this long, e.g. 10m; 0: never [default: 0]. nginx cuts at proxy_read_timeout (60s)." };
    public Option<string?> WebSocketDrainTimeout { get; } = new("--websocket-drain-timeout") { Description = "How long a worker being replaced (reload, recycling) keeps its open WebSockets before they are closed with 1001 Going Away, e.g. 30s; 0: at once [default: 30s]. uWSGI: worker-reload-mercy." };

    public void AddTo(Command command)
    {
        command.Arguments.Add(Module);
        foreach (Option option in new Option[] { Config, Workers, Bind, Threads, Connections, Preload, Chdir, Python, Venv, Static, AccessLogFile, GracefulTimeout, ForwardedAllowIps, MaxBodySize, CertFile, KeyFile, Interface,
            Timeout, MaxRequests, MaxRequestsJitter, MaxLifetime, MaxLifetimeJitter, MaxMemory, WebSocketDrainTimeout, WebSocketPingInterval, WebSocketIdleTimeout, Control, Daemon, PidFile, LogFile })
        {
            command.Options.Add(option);
        }
    }
}
