using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Berth.IntegrationTests.Notify;

namespace Berth.IntegrationTests;

/// <summary>
/// Debian's pebble (2.4) predates ACME Renewal Information (RFC 9773). This stands in front of its directory on
/// 127.0.0.1 over plain HTTP: GET /dir is pebble's directory plus a <c>renewalInfo</c> served here, so berth
/// orders from the real pebble and asks this for renewal windows. <see cref="Window"/> answers for each certID;
/// every certID asked about is recorded. With no upstream it answers nothing but 404, and records that it was asked.
/// </summary>
public sealed class RenewalInfoFront : IDisposable
{
    private readonly HttpReceiver _receiver = new();
    private readonly string? _upstreamDirectory;

    /// <param name="upstreamDirectory">pebble's directory JSON, or null for a front that knows no ACME server.</param>
    public RenewalInfoFront(string? upstreamDirectory)
    {
        _upstreamDirectory = upstreamDirectory;
        _receiver.Answer = Answer;
    }

    public string DirectoryUrl => $"{_receiver.Url}/dir";

    /// <summary>certID → the suggested window for it (start, end).</summary>
    public Func<string, (DateTimeOffset Start, DateTimeOffset End)> Window { get; set; } =
        _ => (DateTimeOffset.UtcNow.AddDays(30), DateTimeOffset.UtcNow.AddDays(31));

    /// <summary>The certIDs berth asked about, in order.</summary>
    public ConcurrentQueue<string> Asked { get; } = new();

    public ConcurrentQueue<HttpReceiver.Received> Requests => _receiver.Requests;

    private (int, string, (string, string)[])? Answer(HttpReceiver.Received request)
    {
        if (_upstreamDirectory is null)
        {
            return (404, "{}", []);
        }

        if (request.Path == "/dir")
        {
            JsonObject directory = JsonNode.Parse(_upstreamDirectory)!.AsObject();
            directory["renewalInfo"] = $"{_receiver.Url}/renewal-info/";
            return (200, directory.ToJsonString(), []);
        }

        if (!request.Path.StartsWith("/renewal-info/", StringComparison.Ordinal))
        {
            return (404, "{}", []);
        }

        string certId = request.Path["/renewal-info/".Length..];
        Asked.Enqueue(certId);
        (DateTimeOffset start, DateTimeOffset end) = Window(certId);
        var window = new JsonObject { ["suggestedWindow"] = new JsonObject { ["start"] = start.ToString("O"), ["end"] = end.ToString("O") } };
        return (200, window.ToJsonString(), [("Retry-After", "3600")]);
    }

    public void Dispose() => _receiver.Dispose();
}
