namespace Berth.Deploy;

/// <summary>A step cannot go on: <see cref="Exception.Message"/> is the cause a user reads, <see cref="Fix"/> what to do.</summary>
public sealed class DeployException(string message, string fix, Exception? inner = null) : Exception(message, inner)
{
    public string Fix { get; } = fix;

    public override string ToString() => $"{Message}. Fix: {Fix}";
}
