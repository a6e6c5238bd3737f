using Berth.Config;
using Berth.Deploy;
using Berth.Deploy.Steps;

namespace Berth.Tests.Deploy.Steps;

/// <summary><c>berth deploy --plan</c> says what a real run would do, from the facts alone: nothing is sent to the host.</summary>
public sealed class PlanTests
{
    [Fact]
    public async Task A_changed_unit_is_planned_as_an_install_and_the_restart_it_causes()
    {
        var deploy = new DeploySettings { Hosts = [new DeployHost("root", "web1", 22)], Repository = "/src/shop.git", Path = "/srv/shop" };
        var context = new StepContext
        {
            Remote = new SilentHost(deploy.Hosts[0]),
            Config = new BerthConfig(new ServerSettings(), [], [], "/src/shop/berth.yml") { Deploy = deploy },
            Deploy = deploy,
            Layout = new DeployPaths(deploy.Path),
            Inputs = new DeployInputs("", "", "main", "berth", "b1", "berth.yml", "c1", "/tmp/berth-shop.service", "unit-new", null,
                new LockOwner("alice", "laptop", DateTimeOffset.UnixEpoch, 1), false, DateTimeOffset.UnixEpoch),
            Facts = new HostFacts { Systemd = true, ServiceActive = true, UnitSha = "unit-old", BerthSha = "b1", ServerConfigSha = "c1" },
            Progress = null!,
            Revision = "",
        };

        StepResult service = await new ServiceStep().DetectAndRunAsync(context, plan: true, CancellationToken.None);
        StepResult reload = await new ReloadStep().DetectAndRunAsync(context, plan: true, CancellationToken.None);

        Assert.Equal((StepStatus.Changed, "would install berth-shop.service: it differs from the installed one"), (service.Status, service.Reason));
        Assert.Equal((StepStatus.Changed, "would restart berth serve: the unit changed"), (reload.Status, reload.Reason));
    }

    /// <summary>A host a plan must not touch: any command or upload fails the test.</summary>
    private sealed class SilentHost(DeployHost host) : IRemoteHost
    {
        public DeployHost Host => host;

        public Task<RemoteResult> RunAsync(RemoteCommand command, Action<string>? onOutputLine, CancellationToken cancellationToken) =>
            throw new InvalidOperationException($"--plan sent `{command}`");

        public Task UploadAsync(string localPath, string remotePath, int mode, CancellationToken cancellationToken) =>
            throw new InvalidOperationException($"--plan uploaded {localPath}");

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
