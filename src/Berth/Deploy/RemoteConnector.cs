namespace Berth.Deploy;

/// <summary>How berth reaches a deployed host, for <c>berth deploy</c>, <c>rollback</c>, <c>releases</c> and <c>logs</c>
/// alike: <see cref="Ssh.SshHost.ConnectAsync(DeployTarget, CancellationToken)"/> in berth; tests may hand in another.</summary>
/// <exception cref="RemoteHostException">The host cannot be reached; the message says what to fix.</exception>
public delegate Task<IRemoteHost> RemoteConnector(DeployTarget target, CancellationToken cancellationToken);
