namespace Berth.Acme;

/// <summary>An ACME server refused or failed a step; the message carries its problem document (RFC 8555 6.7).</summary>
public sealed class AcmeException : Exception
{
    public AcmeException(string message)
        : base(message)
    {
    }

    public AcmeException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>The server answered 429 with urn:ietf:params:acme:error:rateLimited (RFC 8555 6.6).</summary>
    public bool RateLimited { get; init; }

    /// <summary>The answer's Retry-After: how long the server asks us to wait before trying again.</summary>
    public TimeSpan? RetryAfter { get; init; }
}
