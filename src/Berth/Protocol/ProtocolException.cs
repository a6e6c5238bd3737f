using System.Diagnostics.CodeAnalysis;

namespace Berth.Protocol;

/// <summary>The worker sent bytes that are not a valid frame stream; the connection cannot be trusted after it.</summary>
public sealed class ProtocolException : Exception
{
    public ProtocolException(string message) : base(message) { }

    public ProtocolException() { }

    public ProtocolException(string message, Exception inner) : base(message, inner) { }

    [DoesNotReturn]
    public static void Throw(string message) => throw new ProtocolException(message);
}
