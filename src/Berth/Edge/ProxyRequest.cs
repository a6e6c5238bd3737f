using System.Buffers;
using System.Net;
using Berth.Protocol;
using Berth.Workers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;

namespace Berth.Edge;

/// <summary>
/// Turns a Kestrel request into the CGI part of a WSGI environ (PEP 3333), written straight into
/// the worker connection's send buffer: header names are transformed byte by byte into
/// <c>HTTP_*</c> keys without building strings.
/// </summary>
public sealed class ProxyRequest : IWorkerRequest
{
    private readonly HttpContext _context;
    private readonly Route _route;
    private readonly BufferedBody _body;
    private readonly bool _trustedProxy;

    public ProxyRequest(HttpContext context, Route route, BufferedBody body, bool trustedProxy)
    {
        _context = context;
        _route = route;
        _body = body;
        _trustedProxy = trustedProxy;
    }

    public long BodyLength => _body.Length;

    public bool WebSocket { get; init; }

    /// <summary>For an ASGI worker: repeated header fields travel as one pair each, since an ASGI scope keeps them
    /// apart ("duplicates must be preserved", ASGI HTTP spec); a WSGI environ is a dict, so they are joined there.</summary>
    public bool Asgi { get; init; }

    public ValueTask<int> ReadBodyAsync(long offset, Memory<byte> destination) => _body.ReadAsync(offset, destination);

    public void WriteHead(IBufferWriter<byte> writer)
    {
        HttpRequest request = _context.Request;
        string rawTarget = _context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? (request.Path + request.QueryString);
        if (!rawTarget.StartsWith('/'))
        {
            rawTarget = request.PathBase + request.Path + request.QueryString; // absolute-form or '*'
        }

        int question = rawTarget.IndexOf('?', StringComparison.Ordinal);
        ReadOnlySpan<char> rawPath = question >= 0 ? rawTarget.AsSpan(0, question) : rawTarget;
        ReadOnlySpan<char> query = question >= 0 ? rawTarget.AsSpan(question + 1) : [];

        bool first = true;
        KeyValueList.WritePair(writer, "REQUEST_METHOD", request.Method, ref first);
        KeyValueList.WritePair(writer, "SCRIPT_NAME", _route.ScriptName, ref first);
        KeyValueList.WriteItem(writer, "PATH_INFO", ref first);
        WritePathInfo(writer, rawPath, EncodedLength(_route.ScriptName), ref first);
        KeyValueList.WriteItem(writer, "QUERY_STRING", ref first);
        KeyValueList.WriteItem(writer, query, ref first);
        KeyValueList.WritePair(writer, "RAW_URI", rawTarget, ref first);
        KeyValueList.WritePair(writer, "SERVER_PROTOCOL", request.Protocol, ref first);

        string host = request.Host.HasValue ? request.Host.Value! : string.Empty;
        ConnectionInfo connection = _context.Connection;
        (string serverName, string serverPort) = SplitHost(host, request.IsHttps, connection.LocalPort);
        KeyValueList.WritePair(writer, "SERVER_NAME", serverName, ref first);
        KeyValueList.WritePair(writer, "SERVER_PORT", serverPort, ref first);
        KeyValueList.WritePair(writer, "REMOTE_ADDR", connection.RemoteIpAddress is { } remote ? FormatAddress(remote) : "", ref first);
        KeyValueList.WritePair(writer, "REMOTE_PORT", connection.RemotePort.ToString(System.Globalization.CultureInfo.InvariantCulture), ref first);
        if (connection.LocalIpAddress is { } local)
        {
            // The listening socket's address, which ASGI's scope["server"] is (SERVER_NAME/PORT come from Host); CGI's SERVER_ADDR.
            KeyValueList.WritePair(writer, "SERVER_ADDR", FormatAddress(local), ref first);
            KeyValueList.WritePair(writer, "berth.server_port", connection.LocalPort.ToString(System.Globalization.CultureInfo.InvariantCulture), ref first);
        }
        KeyValueList.WritePair(writer, "wsgi.url_scheme", Scheme(request), ref first);

        if (_body.Length > 0 || request.ContentLength is not null || request.Headers.TransferEncoding.Count > 0)
        {
            // Chunked uploads reach WSGI with a length: PEP 3333 apps read CONTENT_LENGTH bytes and no more.
            KeyValueList.WritePair(writer, "CONTENT_LENGTH", _body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), ref first);
        }

        foreach (KeyValuePair<string, StringValues> header in request.Headers)
        {
            string name = header.Key;
            if (name.Length == 0 || name[0] == ':' || name.Contains('_', StringComparison.Ordinal))
            {
                // Underscored names would be indistinguishable from dashed ones after the CGI
                // transform (X_Auth vs X-Auth), a known header-spoofing trick; nginx drops them too.
                continue;
            }

            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            bool isContentType = name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase);
            string prefix = isContentType ? "" : "HTTP_";
            string cgiName = isContentType ? "CONTENT_TYPE" : name;
            StringValues values = header.Value;
            bool isCookie = name.Equals("Cookie", StringComparison.OrdinalIgnoreCase);
            if (values.Count == 1 || !Asgi || isCookie || isContentType)
            {
                WriteCgiName(writer, prefix, cgiName, ref first);
                KeyValueList.WriteItem(writer, values.Count == 1 ? values[0] : string.Join(isCookie ? "; " : ", ", values.ToArray()), ref first);
            }
            else
            {
                foreach (string? value in values)
                {
                    WriteCgiName(writer, prefix, cgiName, ref first);
                    KeyValueList.WriteItem(writer, value, ref first);
                }
            }
        }
    }

    private string Scheme(HttpRequest request)
    {
        if (request.IsHttps)
        {
            return "https";
        }

        if (_trustedProxy && request.Headers.TryGetValue("X-Forwarded-Proto", out StringValues proto))
        {
            string value = proto.ToString();
            if (value.Equals("https", StringComparison.OrdinalIgnoreCase))
            {
                return "https";
            }
        }

        return "http";
    }

    private static (string Name, string Port) SplitHost(string host, bool https, int localPort)
    {
        if (host.Length == 0)
        {
            return ("localhost", localPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        string name = HostRouter.StripPort(host);
        string port = name.Length < host.Length ? host[(name.Length + 1)..] : https ? "443" : "80";
        return (name, port);
    }

    private static string FormatAddress(IPAddress address) =>
        (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();

    /// <summary>How many bytes of the raw path the mount prefix takes: Kestrel decoded the path as UTF-8, so the
    /// prefix is measured the same way before it is cut off the byte-exact PATH_INFO.</summary>
    private static int EncodedLength(string scriptName) => System.Text.Encoding.UTF8.GetByteCount(scriptName);

    /// <summary>PATH_INFO is the percent-decoded request path after the mount prefix, one char per byte (PEP 3333).</summary>
    private static void WritePathInfo(IBufferWriter<byte> writer, ReadOnlySpan<char> rawPath, int skipBytes, ref bool first)
    {
        Span<byte> decoded = rawPath.Length <= 512 ? stackalloc byte[rawPath.Length] : new byte[rawPath.Length];
        int length = 0;
        for (int i = 0; i < rawPath.Length; i++)
        {
            char c = rawPath[i];
            if (c == '%' && i + 2 < rawPath.Length && Uri.IsHexDigit(rawPath[i + 1]) && Uri.IsHexDigit(rawPath[i + 2]))
            {
                decoded[length++] = (byte)((Uri.FromHex(rawPath[i + 1]) << 4) | Uri.FromHex(rawPath[i + 2]));
                i += 2;
            }
            else
            {
                decoded[length++] = (byte)c;
            }
        }

        KeyValueList.WriteItem(writer, decoded[Math.Min(skipBytes, length)..length], ref first);
    }

    private static void WriteCgiName(IBufferWriter<byte> writer, string prefix, string name, ref bool first)
    {
        int size = prefix.Length + name.Length + (first ? 0 : 1);
        Span<byte> span = writer.GetSpan(size);
        int at = 0;
        if (!first)
        {
            span[at++] = 0;
        }

        foreach (char c in prefix)
        {
            span[at++] = (byte)c;
        }

        foreach (char c in name)
        {
            span[at++] = c == '-' ? (byte)'_' : (byte)char.ToUpperInvariant(c);
        }

        writer.Advance(size);
        first = false;
    }
}
