namespace Berth.Edge;

/// <summary>What the access log needs to know of a request beyond the HttpContext.</summary>
public sealed class RequestRecord
{
    public long BytesSent { get; set; }

    public TimeSpan? Upstream { get; set; }

    /// <summary>"app:worker" that answered, or null when the edge answered itself.</summary>
    public string? Worker { get; set; }
}
