using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text.Json;

namespace Berth.Control;

/// <summary>
/// One connection to a running <c>berth serve</c>'s control socket. Requests go one at a time; the
/// connection stays open between them, so <c>berth top</c> asks for status every second on one socket.
/// Not thread-safe: one request at a time, as the protocol has no request ids.
/// </summary>
public sealed class ControlClient : IAsyncDisposable
{
    // A status answer is about 200 bytes per worker and 300 per recorded exit; this bounds a broken server, not a big one.
    private const int MaxResponseBytes = 16 * 1024 * 1024;

    private readonly NetworkStream _stream;
    private readonly PipeReader _reader;

    private ControlClient(string socketPath, NetworkStream stream)
    {
        SocketPath = socketPath;
        _stream = stream;
        _reader = PipeReader.Create(stream);
    }

    public string SocketPath { get; }

    /// <exception cref="ControlConnectionException">No berth listens on <paramref name="socketPath"/>, or this user may not talk to it.</exception>
    public static async Task<ControlClient> ConnectAsync(string socketPath, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
        }
        catch (Exception e) when (e is SocketException or ArgumentException)
        {
            socket.Dispose();
            throw new ControlConnectionException(CannotConnect(socketPath, e), e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new ControlClient(socketPath, new NetworkStream(socket, ownsSocket: true));
    }

    public Task<ControlResponse> StatusAsync(CancellationToken cancellationToken) => SendAsync(ControlRequest.Status(), cancellationToken);

    public Task<ControlResponse> ReloadAsync(string? app, CancellationToken cancellationToken) => SendAsync(ControlRequest.Reload(app), cancellationToken);

    public Task<ControlResponse> RenewAsync(string? site, CancellationToken cancellationToken) => SendAsync(ControlRequest.Renew(site), cancellationToken);

    public Task<ControlResponse> CertificatesAsync(CancellationToken cancellationToken) => SendAsync(ControlRequest.Certificates(), cancellationToken);

    public Task<ControlResponse> ScaleAsync(string app, int workers, CancellationToken cancellationToken) => SendAsync(ControlRequest.Scale(app, workers), cancellationToken);

    public Task<ControlResponse> StopAsync(CancellationToken cancellationToken) => SendAsync(ControlRequest.Stop(), cancellationToken);

    /// <summary>Sends <paramref name="request"/> and waits for its answer, however long a rolling reload takes.</summary>
    /// <exception cref="ControlConnectionException">The server went away or answered something that is not a control response.</exception>
    public async Task<ControlResponse> SendAsync(ControlRequest request, CancellationToken cancellationToken)
    {
        try
        {
            await JsonLines.WriteAsync(_stream, request, ControlJsonContext.Default.ControlRequest, cancellationToken);
            while (true)
            {
                ReadResult read = await _reader.ReadAsync(cancellationToken);
                ReadOnlySequence<byte> buffer = read.Buffer;
                if (JsonLines.TryReadLine(ref buffer, out ReadOnlySequence<byte> line))
                {
                    ControlResponse response = ParseResponse(line);
                    _reader.AdvanceTo(buffer.Start);
                    return response;
                }

                if (read.IsCompleted)
                {
                    throw new ControlConnectionException($"berth serve closed the control connection {SocketPath} before answering; it may be stopping (see its log).");
                }

                if (buffer.Length > MaxResponseBytes)
                {
                    throw new ControlConnectionException($"the answer on {SocketPath} is longer than {MaxResponseBytes / (1024 * 1024)} MiB without a newline; is this a berth control socket?");
                }

                _reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        catch (IOException e)
        {
            throw new ControlConnectionException($"the control connection {SocketPath} broke: {e.Message}; berth serve may have stopped (see its log).", e);
        }
    }

    private ControlResponse ParseResponse(ReadOnlySequence<byte> line)
    {
        try
        {
            return JsonLines.Parse(line, ControlJsonContext.Default.ControlResponse)
                ?? throw new ControlConnectionException($"{SocketPath} answered JSON null; is this a berth control socket?");
        }
        catch (JsonException e)
        {
            throw new ControlConnectionException($"{SocketPath} answered something that is not a control response ({e.Message}); is this a berth control socket, and is the berth the same version?", e);
        }
    }

    private static string CannotConnect(string socketPath, Exception e) => e switch
    {
        SocketException { SocketErrorCode: SocketError.AccessDenied } =>
            $"permission denied on control socket {socketPath}: it is mode 0600 and belongs to the user running berth serve; run this command as that user (e.g. sudo -u <user> berth ...).",
        SocketException { SocketErrorCode: SocketError.AddressNotAvailable or SocketError.ConnectionRefused } =>
            NotRunning(socketPath),
        _ => $"{NotRunning(socketPath)} [{e.Message}]",
    };

    /// <summary>What the CLI prints when nothing answers.</summary>
    public static string NotRunning(string socketPath) =>
        $"no berth serve is running with control socket {socketPath} (start one, or pass --control PATH)";

    public async ValueTask DisposeAsync()
    {
        await _reader.CompleteAsync();
        await _stream.DisposeAsync();
    }
}
