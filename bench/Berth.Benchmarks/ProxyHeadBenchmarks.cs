using System.Buffers;
using System.Net;
using BenchmarkDotNet.Attributes;
using Berth.Edge;
using Microsoft.AspNetCore.Http;

namespace Berth.Benchmarks;

/// <summary>Turning a Kestrel request into the environ frame a worker receives (PEP 3333's CGI keys).</summary>
[MemoryDiagnoser]
public class ProxyHeadBenchmarks
{
    private readonly ArrayBufferWriter<byte> _writer = new(4096);
    private ProxyRequest _request = null!;

    [GlobalSetup]
    public void Setup()
    {
        var context = new DefaultHttpContext();
        HttpRequest request = context.Request;
        request.Method = "GET";
        request.Scheme = "http";
        request.Protocol = "HTTP/1.1";
        request.Path = "/hello";
        request.Host = new HostString("localhost", 8000);
        request.Headers.UserAgent = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
        request.Headers.Accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
        request.Headers.AcceptLanguage = "en-US,en;q=0.5";
        request.Headers.AcceptEncoding = "gzip, deflate, br, zstd";
        request.Headers.Cookie = "session=eyJfZnJlc2giOmZhbHNlfQ.ZxYzAb.Q1w2e3r4t5y6u7i8o9p0; theme=dark";
        context.Connection.RemoteIpAddress = IPAddress.Loopback;
        context.Connection.RemotePort = 51234;
        context.Connection.LocalPort = 8000;
        _request = new ProxyRequest(context, new Route("/", Static: null, App: null), BufferedBody.Empty, trustedProxy: false);
    }

    [Benchmark(Description = "ProxyRequest.WriteHead (browser GET, 6 headers)")]
    public int WriteHead()
    {
        _writer.ResetWrittenCount();
        _request.WriteHead(_writer);
        return _writer.WrittenCount;
    }
}
