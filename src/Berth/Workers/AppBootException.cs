namespace Berth.Workers;

/// <summary>The app's workers could not import it; the message carries the Python traceback.</summary>
public sealed class AppBootException : Exception
{
    public AppBootException(string message) : base(message) { }

    public AppBootException() { }

    public AppBootException(string message, Exception inner) : base(message, inner) { }
}
