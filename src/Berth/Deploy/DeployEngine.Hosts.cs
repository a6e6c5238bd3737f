using Berth.Config;
using Berth.Deploy.Steps;

namespace Berth.Deploy;

public sealed partial class DeployEngine
{
    /// <summary>
    /// Several hosts: <c>parallel:</c> at a time, or rolling <c>batch:</c>es one after the other. The first failure
    /// stops the hosts that have not started (they keep their release, reported as not started), so a bad release
    /// reaches as few hosts as the settings allow. <c>--plan</c> changes nothing, so it looks at every host.
    /// </summary>
    private static async Task<IReadOnlyList<HostOutcome>> RunHostsAsync(IReadOnlyList<DeployTarget> hosts, DeploySettings deploy, bool plan,
        Func<DeployTarget, CancellationToken, Task<HostOutcome>> run, CancellationToken cancellationToken)
    {
        var outcomes = new HostOutcome[hosts.Count];
        string? firstFailure = null;
        var gate = new Lock();

        async Task RunOneAsync(int index)
        {
            DeployTarget host = hosts[index];
            string? stoppedBy;
            lock (gate)
            {
                stoppedBy = firstFailure;
            }

            if (stoppedBy is not null || cancellationToken.IsCancellationRequested)
            {
                string why = stoppedBy is not null ? $"not started: {stoppedBy} failed first" : "not started: the run was cancelled";
                outcomes[index] = new HostOutcome(host.Host.Label, null, HostStatus.NotStarted, null, why);
                return;
            }

            HostOutcome outcome = await run(host, cancellationToken).ConfigureAwait(false);
            outcomes[index] = outcome;
            if (outcome.Status != HostStatus.Ok && !plan)
            {
                lock (gate)
                {
                    firstFailure ??= host.Host.Label;
                }
            }
        }

        if (deploy.Batch > 0)
        {
            for (int start = 0; start < hosts.Count; start += deploy.Batch)
            {
                await Task.WhenAll(Enumerable.Range(start, Math.Min(deploy.Batch, hosts.Count - start)).Select(RunOneAsync)).ConfigureAwait(false);
            }
        }
        else
        {
            using var slots = new SemaphoreSlim(Math.Max(1, deploy.Parallel));
            await Task.WhenAll(Enumerable.Range(0, hosts.Count).Select(async index =>
            {
                await slots.WaitAsync(CancellationToken.None).ConfigureAwait(false);
                try
                {
                    await RunOneAsync(index).ConfigureAwait(false);
                }
                finally
                {
                    slots.Release();
                }
            })).ConfigureAwait(false);
        }

        return outcomes;
    }

    /// <summary>Sets the release a rollback returns to: the one named, or the newest good release older than the live
    /// one that is still on the host. Returns why there is none.</summary>
    private static string? ChooseRollbackTarget(StepContext context, string? named)
    {
        HostFacts facts = context.Facts;
        IReadOnlyList<ReleaseRecord> history = ReleaseHistory.Parse(facts.History);
        string? live = facts.CurrentRelease;
        string? target = named;
        if (target is null)
        {
            target = history.Where(r => r.Status == ReleaseStatus.Ok && r.Id != live && facts.Releases.Contains(r.Id)
                    && (live is null || string.CompareOrdinal(r.Id, live) < 0))
                .Select(r => r.Id).OrderBy(id => id, StringComparer.Ordinal).LastOrDefault();
            if (target is null)
            {
                return $"no good release older than the live one ({live ?? "none"}) is left on the host to roll back to";
            }
        }
        else if (!facts.Releases.Contains(target))
        {
            return $"the release {target} is not on {context.Host.Label} (it has {string.Join(", ", facts.Releases.DefaultIfEmpty("none"))})";
        }
        else if (target == live)
        {
            return $"the release {target} is already live on {context.Host.Label}";
        }

        context.NewRelease = target;
        context.Revision = history.LastOrDefault(r => r.Id == target)?.Revision ?? target.Split('-')[^1];
        return null;
    }
}
