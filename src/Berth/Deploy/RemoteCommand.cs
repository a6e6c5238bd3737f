namespace Berth.Deploy;

/// <summary>
/// A command for a remote host, built as data (Kamal's command builders): an argv array that the
/// runner quotes for the remote shell, and optional bytes for its stdin. Steps' builders return these
/// and are unit-tested as strings via <see cref="ToString"/>.
/// </summary>
public sealed record RemoteCommand(IReadOnlyList<string> Argv, string? Stdin = null)
{
    public static RemoteCommand Of(params string[] argv) => new(argv);

    /// <summary>The command line as the remote POSIX shell receives it, each word single-quoted when
    /// it holds anything but [A-Za-z0-9_./:=@%+,-].</summary>
    public override string ToString() => string.Join(' ', Argv.Select(ShellQuote.Word));
}
