using Berth.Config;
using Berth.Deploy;
using Berth.Deploy.Progress;
using Spectre.Console;

namespace Berth.Tests.Deploy;

public sealed class DeployEngineTests
{
    private static readonly BerthConfig Deploy = new(new ServerSettings(), [], [], "/src/shop/berth.yml")
    {
        Deploy = new DeploySettings
        {
            Hosts = [new DeployHost("deploy", "web1", 22), new DeployHost("deploy", "web2", 2222)],
            Repository = "/src/shop.git",
            Path = "/srv/shop",
            // Any file will do: a host that cannot be reached never receives it.
            BerthBinary = typeof(DeployEngineTests).Assembly.Location,
        },
    };

    [Fact]
    public async Task Each_host_is_reached_through_the_connector_and_one_that_cannot_be_fails_its_preflight_with_why()
    {
        var reached = new List<string>();
        RemoteConnector unreachable = (target, _) =>
        {
            lock (reached)
            {
                reached.Add(target.Host.Label);
            }

            throw new RemoteHostException($"cannot connect to {target.Host.Label} over ssh: ssh said \"Connection refused\"");
        };
        using var output = new StringWriter();
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 200;
        using var progress = new TerminalProgress(console, TimeProvider.System);

        DeployReport report = await new DeployEngine(progress, TimeProvider.System, unreachable)
            .RollbackAsync(Deploy, DeployTarget.Select(Deploy, ["web2"], out _), new RollbackOptions(), CancellationToken.None);

        Assert.Equal(["deploy@web2:2222"], reached);
        HostOutcome web2 = Assert.Single(report.Hosts);
        Assert.Equal((HostStatus.Failed, "preflight"), (web2.Status, web2.FailedStep));
        Assert.Contains("deploy@web2:2222  preflight  failed  cannot connect to deploy@web2:2222 over ssh: ssh said \"Connection refused\"", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_lock_owner_file_reads_as_who_where_and_since_when()
    {
        var owner = new LockOwner("alice", "laptop", new DateTimeOffset(2026, 12, 4, 16, 0, 0, TimeSpan.Zero), 4242);

        Assert.Equal("alice on laptop since 2026-12-04 16:00:00 UTC (pid 4242)", LockOwner.Describe(owner.ToFileText()));
        Assert.StartsWith("an unknown owner", LockOwner.Describe(""), StringComparison.Ordinal);
    }
}
