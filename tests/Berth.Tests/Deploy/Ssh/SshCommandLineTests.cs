using Berth.Config;
using Berth.Deploy;
using Berth.Deploy.Ssh;

namespace Berth.Tests.Deploy.Ssh;

public sealed class SshCommandLineTests
{
    private static readonly DeployHost Host = new("deploy", "shop.example.com", 2222);

    private static string Line(IReadOnlyList<string> argv) => string.Join(' ', argv.Select(ShellQuote.Word));

    [Fact]
    public void The_master_logs_in_in_batch_mode_with_the_key_and_known_hosts_given_and_stays_in_the_background()
    {
        var settings = new SshSettings
        {
            IdentityFile = "/home/me/.ssh/deploy_ed25519",
            KnownHostsFile = "/home/me/.ssh/known_hosts",
            ConnectTimeout = TimeSpan.FromSeconds(7),
        };

        string line = Line(new SshCommandLine(Host, settings, "/tmp/berth-ssh-ab/m").Connect());

        Assert.Equal(
            "-o BatchMode=yes -o ControlMaster=yes -o ControlPath=/tmp/berth-ssh-ab/m -o ControlPersist=600s " +
            "-o ConnectTimeout=7 -o ServerAliveInterval=15 -o ServerAliveCountMax=4 -o StrictHostKeyChecking=accept-new " +
            "-o UserKnownHostsFile=/home/me/.ssh/known_hosts -i /home/me/.ssh/deploy_ed25519 -o IdentitiesOnly=yes " +
            "-l deploy -p 2222 shop.example.com -- true",
            line);
    }

    [Fact]
    public void A_command_rides_the_master_and_replaces_it_if_it_expired()
    {
        string line = Line(new SshCommandLine(Host, new SshSettings(), "/tmp/c/m").Run("uname -a"));

        Assert.StartsWith("-o BatchMode=yes -o ControlMaster=auto -o ControlPath=/tmp/c/m ", line);
        Assert.EndsWith("-l deploy -p 2222 shop.example.com -- 'uname -a'", line);
        Assert.DoesNotContain("IdentitiesOnly", line);
        Assert.DoesNotContain("UserKnownHostsFile", line);
    }

    [Fact]
    public void The_users_options_come_before_the_defaults_they_may_override_but_after_what_berth_relies_on()
    {
        var settings = new SshSettings { Options = ["ServerAliveInterval=5", "ProxyJump=bastion"] };

        string line = Line(new SshCommandLine(Host, settings, "/tmp/c/m").Run("true"));

        int persist = line.IndexOf("ControlPersist", StringComparison.Ordinal);
        int users = line.IndexOf("ServerAliveInterval=5", StringComparison.Ordinal);
        int ours = line.IndexOf("ServerAliveInterval=15", StringComparison.Ordinal);
        Assert.True(persist < users && users < ours, line);
        Assert.Contains("-o ProxyJump=bastion", line);
    }

    [Fact]
    public void Check_and_exit_talk_to_the_master_only()
    {
        var commandLine = new SshCommandLine(Host, new SshSettings(), "/tmp/c/m");

        Assert.Equal("-o ControlPath=/tmp/c/m -O check -l deploy -p 2222 shop.example.com", Line(commandLine.Check()));
        Assert.Equal("-o ControlPath=/tmp/c/m -O exit -l deploy -p 2222 shop.example.com", Line(commandLine.Exit()));
    }

    [Fact]
    public void A_command_without_stdin_runs_under_the_lifeline_with_its_words_quoted_once()
    {
        string line = SshCommandLine.RemoteLine(RemoteCommand.Of("git", "-C", "/srv/my app", "log", "--format=%H $x"));

        Assert.StartsWith("sh -c 'exec 3<&0; setsid -w \"$@\" </dev/null & c=$!; ", line);
        Assert.EndsWith("' berth git -C '/srv/my app' log '--format=%H $x'", line);
        Assert.True(SshCommandLine.HoldsLifeline(RemoteCommand.Of("true")));
    }

    [Fact]
    public void A_command_given_stdin_runs_as_it_is()
    {
        var command = new RemoteCommand(["tee", "/srv/shop/.deploy/lock/owner"], Stdin: "me@laptop\n");

        Assert.Equal("tee /srv/shop/.deploy/lock/owner", SshCommandLine.RemoteLine(command));
        Assert.False(SshCommandLine.HoldsLifeline(command));
    }

    [Fact]
    public void An_upload_checks_the_size_then_sets_the_mode_in_octal_and_renames_in_the_same_directory()
    {
        RemoteCommand upload = SshCommandLine.Upload("/srv/shop/bin/berth", 70_123_456, Convert.ToInt32("755", 8), "a1b2");

        Assert.Equal(["berth-upload", "/srv/shop/bin/berth", "70123456", "755", "a1b2"], upload.Argv.Skip(3));
        string script = upload.Argv[2];
        Assert.Contains("t=\"$(dirname \"$1\")/.$(basename \"$1\").tmp.$4\"", script);
        Assert.Contains("trap 'rm -f \"$t\"' EXIT", script);
        Assert.True(script.IndexOf("!= \"$2\"", StringComparison.Ordinal) < script.IndexOf("mv -f", StringComparison.Ordinal));
    }

    [Fact]
    public void The_command_to_try_by_hand_names_the_key_and_a_port_other_than_22()
    {
        var settings = new SshSettings { IdentityFile = "/home/me/.ssh/deploy_ed25519" };

        Assert.Equal("ssh -i /home/me/.ssh/deploy_ed25519 -p 2222 deploy@shop.example.com true",
            new SshCommandLine(Host, settings, "/tmp/c/m").ByHand());
        Assert.Equal("ssh root@10.0.0.5 true", new SshCommandLine(new DeployHost("root", "10.0.0.5", 22), new SshSettings(), "/tmp/c/m").ByHand());
    }
}
