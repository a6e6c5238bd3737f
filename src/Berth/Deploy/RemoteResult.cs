namespace Berth.Deploy;

/// <summary>How a remote command ended: its exit code and its whole output (also streamed line by
/// line while it ran).</summary>
public sealed record RemoteResult(int ExitCode, string Stdout, string Stderr)
{
    public bool Succeeded => ExitCode == 0;
}
