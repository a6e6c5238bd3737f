namespace Berth.Control;

/// <summary><c>berth serve</c> cannot open its control socket; the message names the path, the cause and the fix.</summary>
public sealed class ControlSocketException : Exception
{
    public ControlSocketException(string message) : base(message) { }

    public ControlSocketException() { }

    public ControlSocketException(string message, Exception inner) : base(message, inner) { }
}
