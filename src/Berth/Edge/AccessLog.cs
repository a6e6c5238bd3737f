using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;

namespace Berth.Edge;

/// <summary>
/// nginx's <c>combined</c> format plus the upstream time and the worker that answered:
/// <code>127.0.0.1 - - [22/Nov/2026:03:50:01 +0000] "GET / HTTP/1.1" 200 512 "-" "curl/7.88" rt=0.002 w=demo:1</code>
/// Lines are queued and written by one background task, so a slow disk never delays a response.
/// </summary>
public sealed class AccessLog : IAsyncDisposable
{
    private readonly Channel<string> _lines = Channel.CreateBounded<string>(new BoundedChannelOptions(10_000) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });
    private readonly TextWriter _writer;
    private readonly bool _ownsWriter;
    private readonly TimeProvider _time;
    private readonly Task _pump;

    private AccessLog(TextWriter writer, bool ownsWriter, TimeProvider time)
    {
        _writer = writer;
        _ownsWriter = ownsWriter;
        _time = time;
        _pump = PumpAsync();
    }

    /// <summary>"-" is standard output, as in gunicorn's <c>--access-logfile -</c>.</summary>
    public static AccessLog Open(string target, TimeProvider time)
    {
        if (target == "-")
        {
            return new AccessLog(Console.Out, ownsWriter: false, time);
        }

        var stream = new FileStream(target, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        return new AccessLog(new StreamWriter(stream, new UTF8Encoding(false)), ownsWriter: true, time);
    }

    public void Write(HttpContext context, long bytesSent, TimeSpan? upstream, string? worker)
    {
        HttpRequest request = context.Request;
        var line = new StringBuilder(192);
        line.Append(context.Connection.RemoteIpAddress?.ToString() ?? "unix")
            .Append(" - - [")
            .Append(LocalTime(_time.GetLocalNow()))
            .Append("] \"").Append(request.Method).Append(' ').Append(request.Path.ToUriComponent()).Append(request.QueryString.ToUriComponent()).Append(' ').Append(request.Protocol)
            .Append("\" ").Append(context.Response.StatusCode.ToString(CultureInfo.InvariantCulture))
            .Append(' ').Append(bytesSent.ToString(CultureInfo.InvariantCulture))
            .Append(" \"").Append(Quote(request.Headers.Referer.ToString()))
            .Append("\" \"").Append(Quote(request.Headers.UserAgent.ToString()))
            .Append("\" rt=").Append(upstream is { } time ? time.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture) : "-")
            .Append(" w=").Append(worker ?? "-");
        _lines.Writer.TryWrite(line.ToString());
    }

    /// <summary>nginx's $time_local: <c>22/Nov/2026:03:50:01 +0000</c> (.NET's zzz would write +00:00).</summary>
    private static string LocalTime(DateTimeOffset now)
    {
        TimeSpan offset = now.Offset;
        char sign = offset < TimeSpan.Zero ? '-' : '+';
        return string.Create(CultureInfo.InvariantCulture, $"{now:dd/MMM/yyyy:HH:mm:ss} {sign}{Math.Abs(offset.Hours):00}{Math.Abs(offset.Minutes):00}");
    }

    private static string Quote(string value) => value.Length == 0 ? "-" : value.Replace("\"", "\\x22", StringComparison.Ordinal);

    private async Task PumpAsync()
    {
        while (await _lines.Reader.WaitToReadAsync())
        {
            while (_lines.Reader.TryRead(out string? line))
            {
                await _writer.WriteLineAsync(line);
            }

            await _writer.FlushAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _lines.Writer.TryComplete();
        await _pump;
        if (_ownsWriter)
        {
            await _writer.DisposeAsync();
        }
    }
}
