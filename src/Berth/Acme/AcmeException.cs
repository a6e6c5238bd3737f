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
}
