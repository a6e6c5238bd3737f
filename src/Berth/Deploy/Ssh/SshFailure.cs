using System.Text.RegularExpressions;
using Berth.Config;

namespace Berth.Deploy.Ssh;

/// <summary>
/// Turns what ssh printed when it failed into a message a user can act on: the host, ssh's own words (its last
/// line that says something) and the fix for the causes people meet — the key not accepted, nothing listening,
/// no route, a changed host key.
/// </summary>
public static partial class SshFailure
{
    public static RemoteHostException CannotConnect(DeployHost host, SshSettings settings, SshCommandLine commandLine, string stderr)
    {
        string said = Said(stderr);
        string fix = Fix(host, settings, stderr);
        return new RemoteHostException(
            $"cannot connect to {host.Label} over ssh: ssh said \"{said}\". Fix: {fix}; try `{commandLine.ByHand()}` by hand to see the same.");
    }

    public static RemoteHostException LostConnection(DeployHost host, SshCommandLine commandLine, string what, string stderr) =>
        new($"lost the connection to {host.Label} while {what}: ssh said \"{Said(stderr)}\". " +
            $"Fix: check that the host is up and reachable (`{commandLine.ByHand()}`), then run the command again; what was running on the host may have been cut short.");

    /// <summary>ssh's last line that is not a notice, e.g. "Permission denied (publickey)."</summary>
    public static string Said(string stderr) =>
        RemoteResult.LastLine(Notice().Replace(stderr, "")) is { Length: > 0 } line ? line : "nothing (it exited with no message)";

    private static string Fix(DeployHost host, SshSettings settings, string stderr)
    {
        string port = host.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (Has(stderr, "REMOTE HOST IDENTIFICATION HAS CHANGED") && OffendingKey().Match(stderr) is { Success: true } offending)
        {
            string file = offending.Groups["file"].Value;
            string name = host.Port == DeployHost.DefaultPort ? host.Address : $"[{host.Address}]:{port}";
            return $"{host.Label} presents another host key than the one {file} (line {offending.Groups["line"].Value}) remembers. " +
                   $"If the server was reinstalled, remove the old key with `ssh-keygen -f {file} -R {ShellQuote.Word(name)}` and deploy again; " +
                   "if it was not, someone may be intercepting the connection: do not deploy";
        }

        if (Has(stderr, "Host key verification failed") || Has(stderr, "No ED25519 host key is known") || Has(stderr, "host key is known"))
        {
            string file = settings.KnownHostsFile ?? "~/.ssh/known_hosts";
            return $"the host's key is not in {file} and strict_host_key_checking is {settings.StrictHostKeyChecking}: " +
                   $"check the key's fingerprint with the server's owner, then add it (`ssh-keyscan -p {port} {host.Address} >> {file}`), " +
                   "or set strict_host_key_checking: accept-new to trust it on first sight";
        }

        if (Has(stderr, "UNPROTECTED PRIVATE KEY FILE"))
        {
            return $"ssh refuses a private key that others can read: `chmod 600 {settings.IdentityFile ?? "your key"}`";
        }

        if (settings.IdentityFile is { } identity && (Has(stderr, "no such identity") || Has(stderr, "not accessible")))
        {
            return $"deploy: ssh: identity_file: {identity} cannot be read: check the path (a private key, not the .pub)";
        }

        if (Has(stderr, "Permission denied") || Has(stderr, "Too many authentication failures"))
        {
            string key = settings.IdentityFile is { } file
                ? $"the key {file} (deploy: ssh: identity_file:)"
                : "your default keys and ssh-agent (no deploy: ssh: identity_file: is set)";
            return $"{host.User}@{host.Address} did not accept {key}: check that identity_file names the right key and that its public half is in " +
                   $"~{host.User}/.ssh/authorized_keys on the host (`ssh-copy-id -i {settings.IdentityFile ?? "KEY"}.pub -p {port} {host.User}@{host.Address}`)";
        }

        if (Has(stderr, "Connection refused"))
        {
            return $"nothing listens on port {port} of {host.Address}: check the address and port in deploy: hosts: (user@host:port) and that sshd runs there";
        }

        if (Has(stderr, "Could not resolve hostname") || Has(stderr, "Name or service not known"))
        {
            return $"{host.Address} does not resolve: check its spelling in deploy: hosts: and your DNS";
        }

        if (Has(stderr, "timed out") || Has(stderr, "No route to host") || Has(stderr, "Network is unreachable"))
        {
            return $"{host.Address}:{port} cannot be reached from this machine within connect_timeout ({settings.ConnectTimeout.TotalSeconds:0}s): " +
                   "check the address, that the server is up, and that no firewall drops port " + port;
        }

        if (Has(stderr, "not available") || Has(stderr, "nologin"))
        {
            return $"{host.User} may not log in with a shell on {host.Address}: deploy as a user with a login shell (section 2 of docs/deploy.md)";
        }

        return "check the host in deploy: hosts: and the settings under deploy: ssh: against what ssh said";
    }

    private static bool Has(string text, string part) => text.Contains(part, StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex(@"Offending \S+ key in (?<file>\S+):(?<line>\d+)")]
    private static partial Regex OffendingKey();

    // "Warning: Permanently added 'host' (ED25519) to the list of known hosts." is news, not the failure; a line of
    // @ frames the changed-host-key warning.
    [GeneratedRegex(@"^[ \t]*(Warning: Permanently added.*|@+)[ \t\r]*$", RegexOptions.Multiline)]
    private static partial Regex Notice();
}
