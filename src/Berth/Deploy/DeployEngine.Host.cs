using Berth.Config;
using Berth.Deploy.Steps;

namespace Berth.Deploy;

public sealed partial class DeployEngine
{
    /// <summary>The lock is released and the release recorded even after Ctrl-C; this bounds how long that may take.</summary>
    private static readonly TimeSpan CleanupTimeout = TimeSpan.FromSeconds(15);

    /// <summary>
    /// One host, start to end: preflight (connect, gather the facts), then each step until one fails; whatever
    /// happens, the lock is released and the release recorded (with its log kept when it failed).
    /// </summary>
    /// <param name="prepare">For a rollback: picks the release to return to, or says why there is none.</param>
    private async Task<HostOutcome> RunHostAsync(DeployTarget target, BerthConfig config, DeployInputs inputs, bool plan,
        IReadOnlyList<IDeployStep> steps, Func<StepContext, string?>? prepare, CancellationToken cancellationToken)
    {
        DeployHost host = target.Host;
        long started = time.GetTimestamp();
        StepContext? context = null;
        string? failedStep = null;
        string? error = null;
        IRemoteHost? remote = null;
        try
        {
            long preflight = Start(host, "preflight");
            try
            {
                remote = await connect(target, cancellationToken).ConfigureAwait(false);
                context = await GatherAsync(remote, target, config, inputs, cancellationToken).ConfigureAwait(false);
                if (prepare?.Invoke(context) is { } notPossible)
                {
                    throw new DeployException(notPossible, "`berth releases` lists the releases on each host");
                }
            }
            catch (Exception e) when (e is DeployException or RemoteHostException or OperationCanceledException)
            {
                error = Explain(e, "preflight");
                Finish(host, "preflight", Outcome.Failed(error), preflight, context);
                return new HostOutcome(host.Label, context?.Facts.CurrentRelease, HostStatus.Failed, "preflight", error);
            }

            string wanted = inputs.Revision.Length > 0 ? $"{ReleaseId.ShortRevision(inputs.Revision)} ({inputs.RevisionLabel})" : $"releases/{context.NewRelease}";
            Finish(host, "preflight", Outcome.Ok($"reached over ssh ({context.Facts.PythonVersion.Trim()}, {(context.Facts.Systemd ? "systemd" : "no systemd: daemon mode")}); target {wanted}"), preflight, context);
            foreach (IDeployStep step in steps)
            {
                long at = Start(host, step.Name);
                context.CurrentStep = step.Name;
                StepResult result;
                try
                {
                    result = await step.DetectAndRunAsync(context, plan, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is DeployException or RemoteHostException or OperationCanceledException)
                {
                    result = Outcome.Failed(Explain(e, step.Name));
                }

                Finish(host, step.Name, result, at, context);
                if (result.Status == StepStatus.Failed && failedStep is null)
                {
                    failedStep = step.Name;
                    error = result.Reason;
                    if (!plan)
                    {
                        break;
                    }
                }
            }
        }
        finally
        {
            if (context is not null && !plan)
            {
                await EndAsync(context, failedStep, error, time.GetElapsedTime(started)).ConfigureAwait(false);
            }

            if (remote is not null)
            {
                await remote.DisposeAsync().ConfigureAwait(false);
            }
        }

        HostStatus status = failedStep is null ? HostStatus.Ok : context.RolledBack ? HostStatus.RolledBack : HostStatus.Failed;
        return new HostOutcome(host.Label, context.ServingRelease, status, failedStep, error);
    }

    /// <summary>Connects the facts script's answer to a fresh context.</summary>
    private async Task<StepContext> GatherAsync(IRemoteHost remote, DeployTarget target, BerthConfig config, DeployInputs inputs, CancellationToken cancellationToken)
    {
        DeploySettings deploy = target.Settings;
        DeployPaths layout = target.Paths;
        var query = new HostFacts.Query(layout, deploy.Python, deploy.Requirements, deploy.SystemPackages, SharedStep.LinkedPaths(deploy),
            deploy.ServiceUser ?? remote.Host.User, SystemdUnit.UnitPath(target.ServiceName));
        RemoteResult facts = await remote.RunAsync(HostFacts.Command(query), null, cancellationToken).ConfigureAwait(false);
        if (!facts.Succeeded)
        {
            throw new DeployException($"the host could not be inspected (exit {facts.ExitCode}): {facts.LastLine()}",
                "the host needs a POSIX sh with coreutils; check by hand with: ssh USER@HOST 'command -v stat sha256sum base64 readlink'");
        }

        return new StepContext
        {
            Remote = remote,
            Config = config,
            Deploy = deploy,
            Layout = layout,
            Inputs = inputs,
            Facts = HostFacts.Parse(facts.Stdout),
            Progress = progress,
            Revision = inputs.Revision,
        };
    }

    /// <summary>Releases the lock and writes the release record (and a failed release's log), after success,
    /// failure or Ctrl-C alike: with their own deadline, not the run's token, which may be cancelled by now.</summary>
    private async Task EndAsync(StepContext context, string? failedStep, string? error, TimeSpan duration)
    {
        using var deadline = new CancellationTokenSource(CleanupTimeout, time);
        try
        {
            if (RecordOf(context, failedStep, error, duration) is { } record)
            {
                await context.Remote.RunAsync(new RemoteCommand(["sh", "-c", "cat >> \"$1\"", "sh", context.Layout.History], ReleaseHistory.ToJsonLine(record) + "\n"), null, deadline.Token).ConfigureAwait(false);
                if (record.Status != ReleaseStatus.Ok && context.ReleaseCreated && context.NewRelease is { } release)
                {
                    string log;
                    lock (context.Log)
                    {
                        log = context.Log.ToString();
                    }

                    await context.Remote.RunAsync(new RemoteCommand(["sh", "-c", "[ ! -d \"$1\" ] || cat > \"$2\"", "sh", context.Layout.Release(release), context.Layout.ReleaseLog(release)], log), null, deadline.Token).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is RemoteHostException or OperationCanceledException)
        {
            progress.Output(context.Host, "cleanup", $"warning: the release record could not be written: {e.Message}");
        }
        finally
        {
            if (context.LockHeld)
            {
                try
                {
                    await context.Remote.RunAsync(LockStep.Release(context.Layout, context.Inputs.Owner), null, deadline.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is RemoteHostException or OperationCanceledException)
                {
                    progress.Output(context.Host, "lock", $"warning: the lock could not be released ({e.Message}); run `berth deploy --break-lock` next time, once sure nobody is deploying");
                }
            }
        }
    }

    /// <summary>What the run leaves in <c>.deploy/releases.jsonl</c>: a deploy records its new release (ok, failed or
    /// rolled_back); a rollback records the release it left as rolled_back, or the one it tried as failed.</summary>
    private static ReleaseRecord? RecordOf(StepContext context, string? failedStep, string? error, TimeSpan duration)
    {
        DeployInputs inputs = context.Inputs;
        bool rollback = inputs.Revision.Length == 0;
        if (context.NewRelease is not { } release || (!rollback && !context.ReleaseCreated) || (rollback && !context.Switched))
        {
            return null;
        }

        ReleaseStatus status = failedStep is null ? ReleaseStatus.Ok : context.RolledBack ? ReleaseStatus.RolledBack : ReleaseStatus.Failed;
        if (rollback && status == ReleaseStatus.Ok && context.PreviousRelease is { } left)
        {
            string leftRevision = context.Facts.CurrentRevision ?? "";
            return new ReleaseRecord(left, leftRevision, ReleaseStatus.RolledBack, inputs.Owner.Who, inputs.Owner.From, inputs.StartedAt, duration,
                DeployPaths.TargetName(context.Facts.CurrentVenvTarget), null, $"berth rollback to {release}");
        }

        return new ReleaseRecord(release, context.Revision, rollback && status == ReleaseStatus.RolledBack ? ReleaseStatus.Failed : status,
            inputs.Owner.Who, inputs.Owner.From, inputs.StartedAt, duration, context.VenvHash, failedStep, error);
    }

    private long Start(DeployHost host, string step)
    {
        progress.StepStarted(host, step);
        return time.GetTimestamp();
    }

    private void Finish(DeployHost host, string step, StepResult result, long startedAt, StepContext? context)
    {
        result = result with { Elapsed = time.GetElapsedTime(startedAt) };
        if (context is not null)
        {
            lock (context.Log)
            {
                context.Log.AppendLine($"{step}: {result.Status.ToString().ToLowerInvariant()}: {result.Reason} ({result.Elapsed.TotalSeconds:0.0}s)");
            }
        }

        progress.StepFinished(host, step, result);
    }

    private static string Explain(Exception e, string step) => e switch
    {
        DeployException deploy => deploy.ToString(),
        OperationCanceledException => $"cancelled (Ctrl-C or SIGTERM) during {step}; the lock is released",
        _ => e.Message,
    };

    /// <summary>Preparing on this machine failed (the branch does not exist, no berth binary): every host fails its preflight.</summary>
    private HostOutcome FailPreflight(DeployHost host, DeployException problem)
    {
        Finish(host, "preflight", Outcome.Failed(problem.ToString()), Start(host, "preflight"), null);
        return new HostOutcome(host.Label, null, HostStatus.Failed, "preflight", problem.ToString());
    }
}
