using Berth.Deploy;

namespace Berth.Cli;

/// <summary>How the commands about deployed hosts reach one: SshHost in berth, the same in its tests.</summary>
internal delegate Task<IRemoteHost> RemoteConnector(DeployTarget target, CancellationToken cancellationToken);
