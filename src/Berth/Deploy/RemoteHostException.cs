namespace Berth.Deploy;

/// <summary>The host could not be reached or the connection broke; the message names the host, the
/// cause ssh gave and what to check.</summary>
public sealed class RemoteHostException(string message, Exception? inner = null) : Exception(message, inner);
