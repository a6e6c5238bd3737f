using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Berth.Tests.Acme;

/// <summary>
/// Just enough of an ACME server on 127.0.0.1, over real HTTP, for what pebble cannot be made to do: a directory
/// with renewalInfo, nonces, an account, and a newOrder that answers as <see cref="NewOrder"/> says (a 429 with
/// Retry-After, say). Records every request, with the JWS payloads decoded.
/// </summary>
internal sealed class AcmeStub : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private int _nonces;

    public AcmeStub()
    {
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        _listener.Prefixes.Add($"{Url}/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}";

    public Uri DirectoryUrl => new($"{Url}/dir");

    /// <summary>The answer to newOrder: status, extra headers, body.</summary>
    public (int Status, (string Name, string Value)[] Headers, string Body) NewOrder { get; set; } = (429, [("Retry-After", "3600")],
        """{"type":"urn:ietf:params:acme:error:rateLimited","detail":"too many new orders (5) for \"rate.test\" in the last 3h0m0s, retry after 2026-12-04 17:00:00 UTC","status":429}""");

    /// <summary>The answer to renewalInfo/CERTID, null for a directory without renewalInfo.</summary>
    public (int Status, string Body, string? RetryAfter)? RenewalInfo { get; set; }

    /// <summary>Method, path and (for a POST) the decoded JWS payload of each request.</summary>
    public ConcurrentQueue<(string Method, string Path, string Payload)> Requests { get; } = new();

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream);
            string body = await reader.ReadToEndAsync();
            string path = context.Request.Url!.AbsolutePath;
            Requests.Enqueue((context.Request.HttpMethod, path, Payload(body)));
            HttpListenerResponse response = context.Response;
            response.Headers["Replay-Nonce"] = $"nonce-{Interlocked.Increment(ref _nonces)}";
            (int status, (string, string)[] headers, string text) = path switch
            {
                "/dir" => (200, [], Directory()),
                "/nonce" => (200, [], ""),
                "/account" => (201, [("Location", $"{Url}/account/1")], """{"status":"valid"}"""),
                "/order" => NewOrder,
                _ when path.StartsWith("/ari/", StringComparison.Ordinal) && RenewalInfo is { } info =>
                    (info.Status, info.RetryAfter is { } after ? [("Retry-After", after)] : [], info.Body),
                _ => (404, [], """{"type":"urn:ietf:params:acme:error:malformed","detail":"no such resource"}"""),
            };
            response.StatusCode = status;
            foreach ((string name, string value) in headers)
            {
                response.Headers[name] = value;
            }

            response.ContentType = status >= 400 ? "application/problem+json" : "application/json";
            await response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(text));
            response.Close();
        }
    }

    private string Directory()
    {
        var directory = new JsonObject { ["newNonce"] = $"{Url}/nonce", ["newAccount"] = $"{Url}/account", ["newOrder"] = $"{Url}/order" };
        if (RenewalInfo is not null)
        {
            directory["renewalInfo"] = $"{Url}/ari/";
        }

        return directory.ToJsonString();
    }

    private static string Payload(string body)
    {
        if (body.Length == 0 || JsonNode.Parse(body)?["payload"]?.GetValue<string>() is not { Length: > 0 } payload)
        {
            return "";
        }

        return Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(payload));
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}
