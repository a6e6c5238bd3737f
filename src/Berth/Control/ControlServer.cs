using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text.Json;
using Berth.Edge.Static;
using Microsoft.Extensions.Logging;

namespace Berth.Control;

/// <summary>
/// The control socket of <c>berth serve</c>: a Unix socket, mode 0600, speaking JSON Lines (see
/// <see cref="ControlRequest"/> and <see cref="ControlResponse"/>). A connection may send several requests;
/// each gets one answer, in order. Nothing a client sends can stop the server except <c>stop</c>.
/// </summary>
/// <remarks>
/// Mode 0600 is the whole access control, as with Docker's and supervisord's sockets: whoever can open
/// the socket can stop the server, so only the user running it may.
/// </remarks>
public sealed partial class ControlServer
{
    // A request is under 100 bytes; this only bounds what a confused client can make us buffer.
    private const int MaxRequestBytes = 64 * 1024;

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly string _socketPath;
    private readonly IServerControl _control;
    private readonly ILogger _logger;
    private Socket? _listener;

    public ControlServer(string socketPath, IServerControl control, ILogger logger)
    {
        _socketPath = socketPath;
        _control = control;
        _logger = logger;
    }

    public string SocketPath => _socketPath;

    /// <summary>Where <c>berth serve</c> puts its control socket: <c>&lt;runtime&gt;/control.sock</c>.</summary>
    public static string DefaultPath(string runtimeDirectory) => Path.Combine(runtimeDirectory, "control.sock");

    /// <summary>
    /// Binds and listens, so that a second <c>berth serve</c> fails here, before it starts any worker.
    /// <see cref="RunAsync"/> calls it when it has not been called.
    /// </summary>
    /// <exception cref="ControlSocketException">Another berth answers on the path, or the path cannot be used.</exception>
    public void Listen()
    {
        if (_listener is not null)
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("the control socket relies on Unix file modes for access control");
        }

        string? directory = Path.GetDirectoryName(Path.GetFullPath(_socketPath));
        if (directory is not null && !Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        RemoveStaleSocket();
        UnixDomainSocketEndPoint endpoint = EndPointFor(_socketPath);
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(endpoint);
            // bind(2) creates the file with 0777 & ~umask. connect(2) is refused until listen(2), so narrowing
            // the mode in between leaves no moment in which another user could get a connection in.
            File.SetUnixFileMode(_socketPath, OwnerOnly);
            listener.Listen();
        }
        catch (SocketException e)
        {
            listener.Dispose();
            throw e.SocketErrorCode == SocketError.AddressAlreadyInUse
                ? new ControlSocketException($"control socket {_socketPath} is taken: another process bound it just now, or the path is a directory. Stop that process or choose another path (--control PATH).", e)
                : new ControlSocketException($"cannot listen on control socket {_socketPath}: {e.Message}", e);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        _listener = listener;
        LogListening(_socketPath);
    }

    /// <summary>Serves connections until <paramref name="cancellationToken"/> fires, then closes them and removes the socket file.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        Listen();
        Socket listener = _listener!;
        var connections = new List<Task>();
        try
        {
            while (true)
            {
                Socket client = await listener.AcceptAsync(cancellationToken);
                connections.RemoveAll(c => c.IsCompleted);
                connections.Add(ServeConnectionAsync(client, cancellationToken));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            listener.Dispose();
            _listener = null;
            TryDelete(_socketPath);
            await Task.WhenAll(connections);
        }
    }

    private async Task ServeConnectionAsync(Socket socket, CancellationToken cancellationToken)
    {
        await using var stream = new NetworkStream(socket, ownsSocket: true);
        PipeReader reader = PipeReader.Create(stream);
        try
        {
            while (true)
            {
                ReadResult read = await reader.ReadAsync(cancellationToken);
                ReadOnlySequence<byte> buffer = read.Buffer;
                while (JsonLines.TryReadLine(ref buffer, out ReadOnlySequence<byte> line))
                {
                    await AnswerAsync(stream, line, cancellationToken);
                }

                if (buffer.Length > MaxRequestBytes)
                {
                    string error = $"request longer than {MaxRequestBytes / 1024} KiB without a newline; {ControlRequest.Accepted}";
                    LogRefused(error);
                    await JsonLines.WriteAsync(stream, ControlResponse.Failed(error), ControlJsonContext.Default.ControlResponse, cancellationToken);
                    return;
                }

                if (read.IsCompleted)
                {
                    // `printf '{"command":"status"}' | socat ...` sends no final newline; answer it anyway.
                    if (!buffer.IsEmpty)
                    {
                        await AnswerAsync(stream, buffer, cancellationToken);
                    }

                    return;
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (IOException e)
        {
            LogConnectionLost(e.Message);
        }
        catch (SocketException e)
        {
            LogConnectionLost(e.Message);
        }
        catch (Exception e)
        {
            // A bug here must cost one connection, not the control socket, and never the server.
            LogConnectionFailed(e);
        }
        finally
        {
            await reader.CompleteAsync();
        }
    }

    private async Task AnswerAsync(Stream stream, ReadOnlySequence<byte> line, CancellationToken cancellationToken)
    {
        if (JsonLines.IsBlank(line))
        {
            return;
        }

        ControlRequest? request = Parse(line, out string? parseError);
        ControlResponse response = request is null ? ControlResponse.Failed(parseError!) : await ExecuteAsync(request, cancellationToken);
        if (!response.Ok)
        {
            LogRefused(response.Error ?? "");
        }

        bool stop = response.Ok && request?.Command == "stop";
        try
        {
            await JsonLines.WriteAsync(stream, response, ControlJsonContext.Default.ControlResponse, cancellationToken);
        }
        finally
        {
            // After the answer is written, because stopping closes this socket; but even when the client has
            // already gone, it asked for a stop and gets one.
            if (stop)
            {
                _control.Stop();
            }
        }
    }

    private static ControlRequest? Parse(ReadOnlySequence<byte> line, out string? error)
    {
        try
        {
            ControlRequest? request = JsonLines.Parse(line, ControlJsonContext.Default.ControlRequest);
            error = request is null ? $"the request is JSON null; {ControlRequest.Accepted}" : null;
            return request;
        }
        catch (JsonException e)
        {
            error = $"malformed request ({e.Message}); {ControlRequest.Accepted}";
            return null;
        }
    }

    private async Task<ControlResponse> ExecuteAsync(ControlRequest request, CancellationToken cancellationToken)
    {
        try
        {
            switch (request.Command)
            {
                case "status":
                    return ControlResponse.ForStatus(_control.GetStatus());

                case "reload":
                    LogReloadRequested(request.App ?? "every app");
                    return ControlResponse.From(await _control.ReloadAsync(request.App, cancellationToken));

                case "renew":
                    return ControlResponse.From(await _control.RenewCertificatesAsync(request.App, cancellationToken));

                case "certs":
                    return ControlResponse.ForCertificates(_control.GetCertificates());

                case "scale":
                    if (string.IsNullOrEmpty(request.App) || request.Workers is not { } workers)
                    {
                        return ControlResponse.Failed("""scale needs "app" and "workers", e.g. {"command":"scale","app":"web","workers":4}""");
                    }

                    if (workers < 0)
                    {
                        return ControlResponse.Failed($"cannot scale {request.App} to {workers} workers; give a number of workers of 0 or more");
                    }

                    LogScaleRequested(request.App, workers);
                    return ControlResponse.From(await _control.ScaleAsync(request.App, workers, cancellationToken));

                case "stop":
                    LogStopRequested();
                    return ControlResponse.Done($"berth serve (pid {Environment.ProcessId}) is stopping: it stops accepting, lets in-flight requests finish within the graceful timeout, then stops the workers");

                case null:
                    return ControlResponse.Failed($"""the request has no "command"; {ControlRequest.Accepted}""");

                default:
                    return ControlResponse.Failed($"unknown command \"{request.Command}\"; {ControlRequest.Accepted}");
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            LogCommandFailed(request.Command ?? "?", e);
            return ControlResponse.Failed($"{request.Command} failed inside berth serve: {e.Message} (the server log has the stack trace)");
        }
    }

    /// <summary>
    /// A socket file left behind by a berth that was killed is removed; one that a live berth answers on is
    /// not, and neither is anything that is not a socket at all (a typo in a path must not delete a file).
    /// </summary>
    private void RemoveStaleSocket()
    {
        if (!FileProbe.TryStat(_socketPath, out FileFacts facts))
        {
            return;
        }

        if (facts.Kind != FileKind.Other)
        {
            throw new ControlSocketException($"{_socketPath} exists and is not a socket; berth will not delete it. Move it away or choose another control socket path (--control PATH).");
        }

        using (var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            try
            {
                probe.Connect(EndPointFor(_socketPath));
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
            {
                // Nobody listens: the socket of a berth that did not exit cleanly.
                File.Delete(_socketPath);
                LogRemovedStale(_socketPath);
                return;
            }
            catch (SocketException e)
            {
                throw new ControlSocketException($"cannot check whether another berth uses control socket {_socketPath}: {e.Message}. If it belongs to another user, run berth as that user or choose another path (--control PATH).", e);
            }
        }

        throw new ControlSocketException($"another berth serve is already running with control socket {_socketPath}. Stop it first (berth stop --control {_socketPath}), or give this one its own with --control PATH.");
    }

    private static UnixDomainSocketEndPoint EndPointFor(string path)
    {
        try
        {
            return new UnixDomainSocketEndPoint(path);
        }
        catch (ArgumentOutOfRangeException e)
        {
            // sockaddr_un.sun_path is 108 bytes on Linux, 104 on macOS.
            throw new ControlSocketException($"control socket path {path} is too long for a Unix socket (at most about 100 bytes); choose a shorter one with --control PATH.", e);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // gone already, or the directory went first
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
