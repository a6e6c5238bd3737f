namespace Berth.Deploy.Steps;

/// <summary>Old releases beyond <c>keep_releases:</c> removed (never the live one; failed ones do not count toward
/// the number kept), by <see cref="ReleaseHistory.ToRemove"/>.</summary>
public sealed class CleanupStep : IDeployStep
{
    public string Name => "cleanup";

    public async Task<StepResult> DetectAndRunAsync(StepContext context, bool plan, CancellationToken cancellationToken)
    {
        List<ReleaseRecord> history = [.. ReleaseHistory.Parse(context.Facts.History)];
        List<string> directories = [.. context.Facts.Releases];
        string? live = context.PreviousRelease;
        if (context.NewRelease is { } release && (context.Switched || plan))
        {
            // This run's record is written when the run ends; it counts as good here, as it is by now.
            history.Add(new ReleaseRecord(release, context.Inputs.Revision, ReleaseStatus.Ok, context.Inputs.Owner.Who, context.Inputs.Owner.From,
                context.Inputs.StartedAt, TimeSpan.Zero, context.VenvHash, null, null));
            directories.Add(release);
            live = release;
        }

        IReadOnlyList<string> remove = ReleaseHistory.ToRemove(directories, history, live, context.Deploy.KeepReleases);
        if (remove.Count == 0)
        {
            return Outcome.Ok($"{directories.Count} release(s) on the host, keep_releases: {context.Deploy.KeepReleases}: nothing to remove");
        }

        string names = string.Join(", ", remove);
        if (!plan)
        {
            await context.RunCheckedAsync(Remove(context.Layout, remove), "removing old releases", "check the permissions under " + context.Layout.Releases, cancellationToken).ConfigureAwait(false);
        }

        return Outcome.Changed(plan, $"would remove {names} (keep_releases: {context.Deploy.KeepReleases})", $"removed {names} (keep_releases: {context.Deploy.KeepReleases})");
    }

    public static RemoteCommand Remove(DeployPaths layout, IReadOnlyList<string> releases) =>
        RemoteCommand.Of(["rm", "-rf", .. releases.Select(layout.Release)]);
}
