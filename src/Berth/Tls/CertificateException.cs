namespace Berth.Tls;

/// <summary>A certificate that cannot be loaded or made; the message names the file and the fix.</summary>
public sealed class CertificateException : Exception
{
    public CertificateException(string message)
        : base(message)
    {
    }

    public CertificateException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
