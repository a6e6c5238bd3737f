using System.Text;
using Berth.Config;

namespace Berth.Deploy.Steps;

/// <summary>What the local side prepared once for every host: the target commit and the files to upload with
/// their sha256, so a step compares checksums instead of uploading to find out.</summary>
public sealed record DeployInputs(
    string Revision,
    string ReleaseId,
    string RevisionLabel,
    string BerthBinary,
    string BerthSha,
    string ServerConfig,
    string ServerConfigSha,
    string? UnitFile,
    string? UnitSha,
    string? EnvSha,
    LockOwner Owner,
    bool BreakLock,
    DateTimeOffset StartedAt);

/// <summary>
/// One host's deploy as the steps share it: the connection, the settings, the facts gathered in preflight,
/// and what earlier steps decided (the new release, whether anything needs a reload). Owned by one host's
/// task; never shared between hosts.
/// </summary>
public sealed class StepContext
{
    public required IRemoteHost Remote { get; init; }
    public required BerthConfig Config { get; init; }
    public required DeploySettings Deploy { get; init; }
    public required DeployPaths Layout { get; init; }
    public required DeployInputs Inputs { get; init; }
    public required HostFacts Facts { get; init; }
    public required IDeployProgress Progress { get; init; }

    public DeployHost Host => Remote.Host;

    /// <summary>The commit this run puts live: the target a deploy resolved, or the one a rollback returns to.</summary>
    public required string Revision { get; set; }

    /// <summary>The ssh user is not root: privileged commands go through <c>sudo -n</c>, which fails at once
    /// instead of prompting when the user may not use sudo without a password (docs/deploy.md, section 2).</summary>
    public bool Sudo => Host.User != "root";

    /// <summary>The user berth serve runs as: <c>deploy: user:</c>, else the ssh user.</summary>
    public string ServiceUser => Deploy.ServiceUser ?? Host.User;

    /// <summary>The step running now, whose remote output goes to the progress view and the release log.</summary>
    public string CurrentStep { get; set; } = "preflight";

    /// <summary>Every step's outcome and remote output, kept as the failed release's <c>.deploy.log</c>.</summary>
    public StringBuilder Log { get; } = new();

    /// <summary>The release this run makes live (a new one, or the one a rollback returns to); null when the live
    /// release already is the target.</summary>
    public string? NewRelease { get; set; }

    /// <summary>The new release's directory may exist on the host (so a failure leaves its log there).</summary>
    public bool ReleaseCreated { get; set; }

    /// <summary>The release that served before this run; where a failed health check switches back to.</summary>
    public string? PreviousRelease => Facts.CurrentRelease;

    public byte[]? Requirements { get; set; }
    public bool RequirementsKnown { get; set; }
    public string? VenvHash { get; set; }
    public bool LockHeld { get; set; }
    public bool Switched { get; set; }

    // What the reload step restarts or reloads for; under --plan, what would change, so the plan's reload line says
    // what a real run would do.
    public bool BinaryChanged { get; set; }
    public bool ConfigChanged { get; set; }
    public bool EnvChanged { get; set; }
    public bool ServiceChanged { get; set; }

    /// <summary>berth serve is not running: the reload step starts it once <c>current</c> exists.</summary>
    public bool StartService { get; set; }

    /// <summary>The new release went live, failed, and <c>current</c> was switched back.</summary>
    public bool RolledBack { get; set; }

    /// <summary>The release serving when the run ends, for the recap.</summary>
    public string? ServingRelease => RolledBack ? PreviousRelease : Switched ? NewRelease : PreviousRelease;

    /// <summary><paramref name="argv"/>, through <c>sudo -n</c> when the ssh user is not root.</summary>
    public RemoteCommand Privileged(params string[] argv) => Sudo ? new RemoteCommand(["sudo", "-n", .. argv]) : new RemoteCommand(argv);

    /// <summary>Runs a command with its output streamed to the progress view and kept for the release log.</summary>
    /// <param name="quiet">For commands whose output is data for the step rather than news for the user.</param>
    public Task<RemoteResult> RunAsync(RemoteCommand command, CancellationToken cancellationToken, bool quiet = false) =>
        Remote.RunAsync(command, quiet ? null : line =>
        {
            Progress.Output(Host, CurrentStep, line);
            lock (Log)
            {
                Log.Append("  | ").AppendLine(line);
            }
        }, cancellationToken);

    /// <summary>Runs a command that must succeed; otherwise the step fails with the command's last line of output.</summary>
    public async Task<RemoteResult> RunCheckedAsync(RemoteCommand command, string what, string fix, CancellationToken cancellationToken)
    {
        RemoteResult result = await RunAsync(command, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new DeployException($"{what} failed (exit {result.ExitCode}): {result.LastLine()}", fix);
        }

        return result;
    }
}
