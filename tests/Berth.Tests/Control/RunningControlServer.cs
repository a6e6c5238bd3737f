using System.Net.Sockets;
using System.Text;
using Berth.Control;
using Microsoft.Extensions.Logging.Abstractions;

namespace Berth.Tests.Control;

/// <summary>A real <see cref="ControlServer"/> on a socket in a fresh temporary directory.</summary>
internal sealed class RunningControlServer : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;

    private RunningControlServer(string directory, FakeServerControl control)
    {
        Directory = directory;
        Control = control;
        Server = new ControlServer(ControlServer.DefaultPath(directory), control, NullLogger.Instance);
        // Listen before returning, so a test's first connect cannot race the bind.
        Server.Listen();
        _run = Server.RunAsync(_stop.Token);
    }

    public string Directory { get; }

    public string SocketPath => Server.SocketPath;

    public FakeServerControl Control { get; }

    public ControlServer Server { get; }

    /// <summary>A guard against a hung test, not a timing assertion.</summary>
    public static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    public static RunningControlServer Start(FakeServerControl? control = null, string? directory = null) =>
        new(directory ?? NewDirectory(), control ?? new FakeServerControl());

    /// <summary>Short on purpose: a Unix socket path must fit in 108 bytes.</summary>
    public static string NewDirectory()
    {
        string directory = Path.Combine(Path.GetTempPath(), "berth-ctl-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(directory);
        return directory;
    }

    /// <summary>A connection that speaks bytes, for requests <see cref="ControlClient"/> would never send.</summary>
    public async Task<RawConnection> ConnectRawAsync()
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath), Timeout);
        return new RawConnection(new NetworkStream(socket, ownsSocket: true));
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _run;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    internal sealed class RawConnection(NetworkStream stream) : IAsyncDisposable
    {
        private readonly StreamReader _reader = new(stream, Encoding.UTF8);

        public async Task<string> AskAsync(string bytes)
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(bytes), Timeout);
            return await _reader.ReadLineAsync(Timeout) ?? throw new EndOfStreamException("the server closed the connection");
        }

        public async Task WriteAsync(string bytes) => await stream.WriteAsync(Encoding.UTF8.GetBytes(bytes), Timeout);

        public async Task CloseWriteAsync()
        {
            await stream.FlushAsync(Timeout);
            stream.Socket.Shutdown(SocketShutdown.Send);
        }

        public async Task<string?> ReadLineAsync() => await _reader.ReadLineAsync(Timeout);

        public async ValueTask DisposeAsync()
        {
            _reader.Dispose();
            await stream.DisposeAsync();
        }
    }
}
