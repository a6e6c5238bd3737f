using Berth.Deploy;
using Berth.Deploy.Steps;

namespace Berth.Tests.Deploy.Steps;

public sealed class LockStepTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("berth-lock-");
    private static readonly LockOwner Alice = new("alice", "laptop", new DateTimeOffset(2026, 12, 4, 16, 0, 0, TimeSpan.Zero), 42);
    private static readonly LockOwner Bob = new("bob", "ci-runner", new DateTimeOffset(2026, 12, 4, 16, 5, 0, TimeSpan.Zero), 7);

    public void Dispose() => _root.Delete(recursive: true);

    private DeployPaths Layout => new(Path.Combine(_root.FullName, "shop"));

    [Fact]
    public void The_first_run_takes_the_lock_and_a_second_is_refused_with_the_owner()
    {
        RemoteResult first = LocalShell.Run(LockStep.Acquire(Layout, Alice, breakLock: false, sudoUser: null));
        RemoteResult second = LocalShell.Run(LockStep.Acquire(Layout, Bob, breakLock: false, sudoUser: null));

        Assert.Equal(0, first.ExitCode);
        Assert.Equal(LockStep.HeldElsewhere, second.ExitCode);
        Assert.Equal("alice on laptop since 2026-12-04 16:00:00 UTC (pid 42)", LockOwner.Describe(second.Stdout));
    }

    [Fact]
    public void Break_lock_takes_it_and_names_whose_it_was()
    {
        LocalShell.Run(LockStep.Acquire(Layout, Alice, breakLock: false, sudoUser: null));

        RemoteResult broken = LocalShell.Run(LockStep.Acquire(Layout, Bob, breakLock: true, sudoUser: null));

        Assert.Equal(0, broken.ExitCode);
        Assert.StartsWith("alice on laptop", LockOwner.Describe(broken.Stdout), StringComparison.Ordinal);
        Assert.Contains("who=bob", File.ReadAllText(Layout.LockOwner), StringComparison.Ordinal);
    }

    [Fact]
    public void Release_removes_only_a_lock_that_is_still_this_runs()
    {
        LocalShell.Run(LockStep.Acquire(Layout, Alice, breakLock: false, sudoUser: null));
        LocalShell.Run(LockStep.Acquire(Layout, Bob, breakLock: true, sudoUser: null));

        LocalShell.Run(LockStep.Release(Layout, Alice));
        Assert.True(Directory.Exists(Layout.Lock));

        LocalShell.Run(LockStep.Release(Layout, Bob));
        Assert.False(Directory.Exists(Layout.Lock));
    }

    [Fact]
    public void Without_root_the_deploy_directory_is_made_through_sudo_for_the_ssh_user() =>
        Assert.Contains("|| sudo -n install -d -o deploy \"$1\" \"$D\"", LockStep.Acquire(new DeployPaths("/srv/shop"), Alice, false, "deploy").Argv[2], StringComparison.Ordinal);
}
