using Berth.Cli;

namespace Berth.Tests.Cli;

public sealed class DaemonLauncherTests
{
    [Fact]
    public void The_child_is_the_same_serve_without_daemon_detached_with_its_output_in_the_log()
    {
        IReadOnlyList<string> words = DaemonLauncher.ChildCommand(["serve", "app:application", "-D", "-w", "2"], "/run/berth/berth.pid", "/var/log/berth.log");

        Assert.Equal(["-c", "log=$1; shift; exec setsid \"$@\" </dev/null >>\"$log\" 2>&1", "sh", "/var/log/berth.log"], words.Take(4));
        Assert.Equal(["serve", "app:application", "-w", "2", "--pid-file", "/run/berth/berth.pid"], words.SkipWhile(w => w != "serve"));
        Assert.DoesNotContain("-D", words);
    }

    [Fact]
    public void A_pid_file_given_by_the_user_is_not_named_twice()
    {
        IReadOnlyList<string> words = DaemonLauncher.ChildCommand(["serve", "--daemon", "--pid-file", "my.pid"], "/default.pid", "/log");

        Assert.Equal(["serve", "--pid-file", "my.pid"], words.SkipWhile(w => w != "serve"));
    }

    [Fact]
    public void The_default_pid_file_sits_next_to_the_control_socket() =>
        Assert.Equal("/run/berth/berth.pid", DaemonLauncher.DefaultPidFile("/run/berth/control.sock"));
}
