using Berth.Deploy;

namespace Berth.Cli;

/// <summary>Starts <paramref name="command"/> on <paramref name="host"/> with its output as it comes, for <c>berth logs -f</c>
/// (SshHost.StartStreaming); the caller reads the streams and kills the process.</summary>
internal delegate System.Diagnostics.Process RemoteStreamStarter(IRemoteHost host, RemoteCommand command);
