namespace Berth.Deploy.Steps;

/// <summary>
/// <c>current</c> pointed at the new release atomically: a new link under a temporary name renamed over the old
/// one (rename(2) replaces it in one step, so a request never finds no <c>current</c>).
/// </summary>
public sealed class SwitchStep : IDeployStep
{
    public string Name => "switch";

    public async Task<StepResult> DetectAndRunAsync(StepContext context, bool plan, CancellationToken cancellationToken)
    {
        if (context.NewRelease is not { } release || release == context.PreviousRelease)
        {
            return Outcome.Ok($"current already points to releases/{context.PreviousRelease}");
        }

        string from = context.PreviousRelease is { } previous ? $"releases/{previous}" : "nothing";
        if (!plan)
        {
            await context.RunCheckedAsync(Point(context.Layout, release), "switching current", "check the space and permissions under " + context.Layout.Root, cancellationToken).ConfigureAwait(false);
            context.Switched = true;
        }

        return Outcome.Changed(plan, $"would point current at releases/{release} (now {from})", $"current: {from} → releases/{release}");
    }

    public static RemoteCommand Point(DeployPaths layout, string release) =>
        RemoteCommand.Of("sh", "-c", "ln -sfn \"$2\" \"$1.tmp\" && mv -T \"$1.tmp\" \"$1\"", "sh", layout.Current, layout.CurrentTarget(release));

    /// <summary>After a failed reload or health check: <c>current</c> back to the release that served before, and a
    /// reload so its code serves again. Returns what happened, for the failed step's reason.</summary>
    public static async Task<string> SwitchBackAsync(StepContext context, CancellationToken cancellationToken)
    {
        if (context.PreviousRelease is not { } previous)
        {
            return "there is no previous release to go back to";
        }

        // The run may be cancelled by now (Ctrl-C during the health check): putting the site back comes first.
        await context.RunCheckedAsync(Point(context.Layout, previous), "switching current back", "switch it by hand: berth rollback", CancellationToken.None).ConfigureAwait(false);
        context.RolledBack = true;
        RemoteResult reload = await context.RunAsync(ReloadStep.Command(context, ReloadStep.Kind.Reload), CancellationToken.None).ConfigureAwait(false);
        return reload.Succeeded
            ? $"switched back to releases/{previous} and reloaded"
            : $"switched back to releases/{previous}, but its reload failed: {reload.LastLine()}";
    }
}
