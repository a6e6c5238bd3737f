using Berth.Config;
using Berth.Deploy;
using Berth.Deploy.Ssh;

namespace Berth.Tests.Deploy.Ssh;

public sealed class SshFailureTests
{
    private static readonly DeployHost Host = new("deploy", "shop.example.com", 22);
    private static readonly SshSettings Settings = new() { IdentityFile = "/home/me/.ssh/deploy_ed25519" };

    private static string Message(string stderr, SshSettings? settings = null) =>
        SshFailure.CannotConnect(Host, settings ?? Settings, new SshCommandLine(Host, settings ?? Settings, "/tmp/c/m"), stderr).Message;

    [Fact]
    public void A_refused_key_names_the_key_and_authorized_keys()
    {
        string message = Message("Warning: Permanently added 'shop.example.com' (ED25519) to the list of known hosts.\r\ndeploy@shop.example.com: Permission denied (publickey).\n");

        Assert.Contains("cannot connect to deploy@shop.example.com over ssh", message);
        Assert.Contains("\"deploy@shop.example.com: Permission denied (publickey).\"", message);
        Assert.Contains("/home/me/.ssh/deploy_ed25519", message);
        Assert.Contains("~deploy/.ssh/authorized_keys", message);
        Assert.Contains("`ssh -i /home/me/.ssh/deploy_ed25519 deploy@shop.example.com true`", message);
    }

    [Fact]
    public void A_closed_port_says_nothing_listens_there()
    {
        string message = Message("ssh: connect to host shop.example.com port 22: Connection refused\n");

        Assert.Contains("\"ssh: connect to host shop.example.com port 22: Connection refused\"", message);
        Assert.Contains("nothing listens on port 22 of shop.example.com", message);
    }

    [Fact]
    public void A_changed_host_key_gives_the_line_to_remove()
    {
        const string stderr = """
            @@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@
            @    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @
            @@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@
            IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!
            Offending ED25519 key in /home/me/.ssh/known_hosts:3
              remove with:
              ssh-keygen -f "/home/me/.ssh/known_hosts" -R "shop.example.com"
            Host key for shop.example.com has changed and you have requested strict checking.
            Host key verification failed.
            """;

        string message = Message(stderr);

        Assert.Contains("\"Host key verification failed.\"", message);
        Assert.Contains("`ssh-keygen -f /home/me/.ssh/known_hosts -R shop.example.com`", message);
        Assert.Contains("line 3", message);
    }

    [Fact]
    public void An_unreachable_address_names_the_timeout_and_the_firewall()
    {
        string message = Message("ssh: connect to host shop.example.com port 22: Connection timed out\n");

        Assert.Contains("cannot be reached from this machine within connect_timeout (10s)", message);
    }

    [Fact]
    public void A_lost_connection_says_what_was_running()
    {
        var commandLine = new SshCommandLine(Host, Settings, "/tmp/c/m");

        string message = SshFailure.LostConnection(Host, commandLine, "running `pip install`", "Connection to shop.example.com closed by remote host.\n").Message;

        Assert.StartsWith("lost the connection to deploy@shop.example.com while running `pip install`", message);
        Assert.Contains("\"Connection to shop.example.com closed by remote host.\"", message);
    }
}
