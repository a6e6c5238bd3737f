namespace Berth.Control;

/// <summary>The control socket could not be reached or broke mid-request; the message says which and what to do.</summary>
public sealed class ControlConnectionException : Exception
{
    public ControlConnectionException(string message) : base(message) { }

    public ControlConnectionException() { }

    public ControlConnectionException(string message, Exception inner) : base(message, inner) { }
}
