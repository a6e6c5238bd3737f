namespace Berth.Deploy;

/// <summary>How a command ended (on a host over ssh, or git on this machine): its exit code and its whole output
/// (a remote command's also streamed line by line while it ran).</summary>
public sealed record RemoteResult(int ExitCode, string Stdout, string Stderr)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>The line to quote when the command failed: the last of stderr, or of stdout when stderr is empty.</summary>
    public string LastLine() => LastLine(Stderr.Trim().Length > 0 ? Stderr : Stdout) is { Length: > 0 } line ? line : "(no output)";

    /// <summary>The last line of <paramref name="output"/> that is not blank, trimmed ("" when there is none): pip, git,
    /// ssh and Python say what went wrong last, after many lines of what they were doing.</summary>
    public static string LastLine(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
}
