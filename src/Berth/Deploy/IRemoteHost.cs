namespace Berth.Deploy;

/// <summary>
/// One server that <c>berth deploy</c> drives. The production implementation is the system OpenSSH
/// client with one ControlMaster connection reused for every command (DESIGN.md, "Deploy"); steps
/// never build shell strings themselves, they hand <see cref="RemoteCommand"/>s to this runner.
/// </summary>
public interface IRemoteHost : IAsyncDisposable
{
    DeployHost Host { get; }

    /// <summary>
    /// Runs one command on the host and waits for it. A non-zero exit is a result, not an exception;
    /// an unreachable host or a lost connection throws <see cref="RemoteHostException"/> with what to do.
    /// </summary>
    /// <param name="onOutputLine">Called with each line of stdout and stderr as it arrives, so a slow
    /// pip install streams to the screen instead of looking like a hang.</param>
    Task<RemoteResult> RunAsync(RemoteCommand command, Action<string>? onOutputLine, CancellationToken cancellationToken);

    /// <summary>Copies a local file to <paramref name="remotePath"/> atomically (a temporary name in
    /// the same directory, then rename) with the given octal mode.</summary>
    Task UploadAsync(string localPath, string remotePath, int mode, CancellationToken cancellationToken);
}
