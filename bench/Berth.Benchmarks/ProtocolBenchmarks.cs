using System.Buffers;
using BenchmarkDotNet.Attributes;
using Berth.Protocol;

namespace Berth.Benchmarks;

/// <summary>The worker protocol's codec: what every request costs on the master's side of the socket.</summary>
[MemoryDiagnoser]
public class ProtocolBenchmarks
{
    // The CGI part of the environ berth sends for "GET /hello" from curl or a browser behind no proxy,
    // plus the headers a browser sends (taken from a Firefox request).
    private static readonly string[] Environ =
    [
        "REQUEST_METHOD", "GET", "SCRIPT_NAME", "", "PATH_INFO", "/hello", "QUERY_STRING", "",
        "RAW_URI", "/hello", "SERVER_PROTOCOL", "HTTP/1.1", "SERVER_NAME", "localhost", "SERVER_PORT", "8000",
        "REMOTE_ADDR", "127.0.0.1", "REMOTE_PORT", "51234", "wsgi.url_scheme", "http",
        "HTTP_HOST", "localhost:8000",
        "HTTP_USER_AGENT", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
        "HTTP_ACCEPT", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        "HTTP_ACCEPT_LANGUAGE", "en-US,en;q=0.5",
        "HTTP_ACCEPT_ENCODING", "gzip, deflate, br, zstd",
        "HTTP_CONNECTION", "keep-alive",
        "HTTP_COOKIE", "session=eyJfZnJlc2giOmZhbHNlfQ.ZxYzAb.Q1w2e3r4t5y6u7i8o9p0; theme=dark",
    ];

    private readonly ArrayBufferWriter<byte> _writer = new(4096);
    private ReadOnlySequence<byte> _headPayload;
    private ReadOnlySequence<byte> _stream;
    private ReadOnlySequence<byte> _splitStream;

    [GlobalSetup]
    public void Setup()
    {
        var head = new ArrayBufferWriter<byte>();
        bool first = true;
        for (int i = 0; i < Environ.Length; i += 2)
        {
            KeyValueList.WritePair(head, Environ[i], Environ[i + 1], ref first);
        }

        _headPayload = new ReadOnlySequence<byte>(head.WrittenMemory);

        // A response as a worker sends it: head, one body chunk, end.
        var frames = new ArrayBufferWriter<byte>();
        byte[] responseHead = "200 OK\0Content-Type\0text/plain; charset=utf-8\0Content-Length\013"u8.ToArray();
        FrameWriter.Write(frames, FrameType.ResponseHead, FrameFlags.None, 7, responseHead);
        FrameWriter.Write(frames, FrameType.ResponseBody, FrameFlags.None, 7, "Hello, World!"u8);
        FrameWriter.Write(frames, FrameType.ResponseEnd, FrameFlags.None, 7, []);
        byte[] bytes = frames.WrittenSpan.ToArray();
        _stream = new ReadOnlySequence<byte>(bytes);
        _splitStream = Segments.Split(bytes, 5); // a header torn across socket reads
    }

    [Benchmark(Description = "TryReadFrame x3 (one buffer)")]
    public int ReadFrames() => CountFrames(_stream);

    [Benchmark(Description = "TryReadFrame x3 (header split across segments)")]
    public int ReadFramesSplit() => CountFrames(_splitStream);

    [Benchmark(Description = "KeyValueList write: request environ (22 pairs)")]
    public int WriteEnviron()
    {
        _writer.ResetWrittenCount();
        FrameMark mark = FrameWriter.BeginFrame(_writer);
        bool first = true;
        for (int i = 0; i < Environ.Length; i += 2)
        {
            KeyValueList.WritePair(_writer, Environ[i], Environ[i + 1], ref first);
        }

        FrameWriter.EndFrame(_writer, mark, FrameType.RequestHead, FrameFlags.None, 7);
        return _writer.WrittenCount;
    }

    [Benchmark(Description = "KeyValueList read: request environ (22 pairs)")]
    public int ReadEnviron() => KeyValueList.Read(_headPayload).Count;

    private static int CountFrames(ReadOnlySequence<byte> buffer)
    {
        int count = 0;
        while (FrameHeader.TryReadFrame(ref buffer, out _, out _))
        {
            count++;
        }

        return count;
    }
}
