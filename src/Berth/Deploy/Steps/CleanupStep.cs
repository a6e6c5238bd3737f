namespace Berth.Deploy.Steps;

/// <summary>Old releases beyond <c>keep_releases:</c> removed (never the live one; failed ones do not count toward
/// the number kept), by <see cref="ReleaseHistory.ToRemove"/>, and with them the venvs no release links to any more.</summary>
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
        if (plan)
        {
            return Outcome.Changed($"would remove {names} (keep_releases: {context.Deploy.KeepReleases}) and the venvs only they used");
        }

        RemoteResult removed = await context.RunCheckedAsync(Remove(context.Layout, remove), "removing old releases", "check the permissions under " + context.Layout.Releases, cancellationToken).ConfigureAwait(false);
        string[] venvs = removed.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string andVenvs = venvs.Length > 0 ? $", and venv {string.Join(", ", venvs)} that no release uses" : "";
        return Outcome.Changed($"removed {names} (keep_releases: {context.Deploy.KeepReleases}){andVenvs}");
    }

    /// <summary>Removes the releases, then every venv that no remaining release's <c>.venv</c> leads to (printing
    /// its hash): venvs are shared, so one goes only with the last release that used it.</summary>
    public static RemoteCommand Remove(DeployPaths layout, IReadOnlyList<string> releases)
    {
        string script = $"""
            for r in "$@"; do rm -rf "$r"; done
            for v in {ShellQuote.Pattern(layout.Venv("*") + "/")}; do
              [ -d "$v" ] || continue
              used=
              for l in {ShellQuote.Pattern(layout.ReleaseVenv("*"))}; do
                if [ "$l" -ef "$v" ]; then used=1; break; fi
              done
              if [ -z "$used" ]; then rm -rf "$v"; basename "$v"; fi
            done
            """;
        return RemoteCommand.Of(["sh", "-c", script, "sh", .. releases.Select(layout.Release)]);
    }
}
