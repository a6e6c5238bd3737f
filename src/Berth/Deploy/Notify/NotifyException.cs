namespace Berth.Deploy.Notify;

/// <summary>Why a channel could not be told, in the words of the warning: the cause, then the fix.</summary>
public sealed class NotifyException(string cause, string fix, Exception? inner = null) : Exception(cause, inner)
{
    public string Fix { get; } = fix;

    public override string ToString() => $"{Message}. Fix: {Fix}";
}
