using System.Collections.Immutable;
using Berth.Config;
using Berth.Control;
using Berth.Tls;
using Berth.Workers;
using Microsoft.Extensions.Logging;

namespace Berth;

/// <summary>
/// <c>kill -HUP</c> and <c>berth reload</c>. A full reload reads berth.yml again, as gunicorn's HUP and uWSGI's
/// reload re-read theirs: a file with errors changes nothing (the errors are logged as <c>berth check</c> prints
/// them); a good one starts the apps it adds, reloads every other app rolling (with its new settings when they
/// changed, as it is otherwise: a deploy may have switched its code), swaps the routes, then stops the apps it
/// removed. The settings of the master itself (listeners, server:) stay as they were, each change named.
/// <c>berth reload APP</c> reloads that app's workers only, with the settings it has.
/// </summary>
public sealed partial class Master
{
    private readonly SemaphoreSlim _reloading = new(1, 1); // one reload at a time: a second HUP waits for the first

    public async Task<ControlResult> ReloadAsync(string? app, CancellationToken cancellationToken)
    {
        if (app is not null)
        {
            return _apps.TryGetValue(app, out AppSupervisor? one)
                ? await one.ReloadAsync().WaitAsync(cancellationToken)
                : UnknownApp(app);
        }

        await _reloading.WaitAsync(cancellationToken);
        try
        {
            ControlResult[] results;
            string[] newAcmeSites = [];
            if (_readConfigAgain is null)
            {
                results = await Task.WhenAll(_apps.Values.Select(a => a.ReloadAsync())).WaitAsync(cancellationToken);
            }
            else
            {
                HashSet<string> acmeBefore = AcmeSiteNames();

                // Not cancelled with the caller: `berth reload` interrupted by Ctrl-C stops waiting, not the reload.
                (bool applied, ControlResult[] outcome) = await ReloadConfigAsync();
                if (!applied)
                {
                    return Combine(outcome);
                }

                results = outcome;
                newAcmeSites = AcmeSiteNames().Except(acmeBefore).ToArray();
            }

            ControlResult certificates = ReloadCertificates();

            // A site the reload added with tls: acme gets its certificate ordered now rather than at the renewal loop's
            // next look (up to an hour); until then its handshakes fail, as at a first start. When it is the first such
            // site, the loop starts here, and renews it from then on as it would at a start.
            if (newAcmeSites.Length > 0)
            {
                RunAcmeRenewals();
            }

            results = certificates.Message.Length > 0 ? [certificates, .. results] : results;

            // A deploy switched `current` and reloaded: static files follow once the new code serves (not before, and
            // not when the new code failed to start, so files and code stay of one release).
            if (results.All(r => r.Ok) && _edge is { } edge)
            {
                results = [.. results, .. edge.ResolveStaticRootsAgain().Select(problem => new ControlResult(false, problem))];
            }

            return Combine(results);
        }
        finally
        {
            _reloading.Release();
        }
    }

    private HashSet<string> AcmeSiteNames() =>
        AcmeCertificates.AcmeSites(_config.Sites).Select(s => s.Name).ToHashSet(StringComparer.Ordinal);

    private static ControlResult Combine(IReadOnlyList<ControlResult> results) =>
        new(results.All(r => r.Ok), string.Join("\n", results.Select(r => r.Message).Where(m => m.Length > 0)));

    /// <returns>Applied false when the file or a new app was refused, with why; nothing changed then.</returns>
    private async Task<(bool Applied, ControlResult[] Results)> ReloadConfigAsync()
    {
        string file = _config.Path ?? "berth.yml";
        ConfigResult read = _readConfigAgain!();
        if (!read.IsValid)
        {
            string errors = string.Join("\n", read.Errors.Select(e => e.ToString()));
            LogReloadRefused(file, errors);
            return (false, [new ControlResult(false, $"{file} has errors, so nothing was reloaded: the old settings and workers keep serving:\n{errors}")]);
        }

        ImmutableDictionary<string, AppSupervisor> running = _berthYmlApps;
        BerthConfig now = _config with { Apps = running.Values.Select(a => a.App).ToArray() };
        ReloadPlan plan = ReloadPlan.Between(now, read.Config!);
        BerthConfig next = ReloadPlan.Applicable(now, read.Config!);
        var results = new List<ControlResult>();
        foreach (string key in plan.NeedRestart)
        {
            LogRestartNeeded(key);
            results.Add(new ControlResult(true, $"{key} changed: restart berth to apply it (the rest was reloaded)"));
        }

        AppLauncher.Launch[] launches = await Task.WhenAll(plan.Added.Select(a =>
        {
            LogAppAdded(file, a.Name, a.Module, a.Workers);
            return _launcher!.StartAsync(a, CancellationToken.None);
        }));
        if (launches.Any(l => l.Supervisor is null))
        {
            await Task.WhenAll(launches.Select(l => l.Supervisor).OfType<AppSupervisor>().Select(s => AppLauncher.StopAsync(s, TimeSpan.FromSeconds(5))));
            string[] failed = plan.Added.Zip(launches).Where(p => p.Second.Supervisor is null).Select(p => $"app {p.First.Name}: {p.Second.Reason}").ToArray();
            LogAddedAppFailed(file, string.Join("; ", failed));
            return (false, [.. failed.Select(f => new ControlResult(false, f)),
                new ControlResult(false, $"{file} was not reloaded: a new app cannot start, so the old settings and workers keep serving")]);
        }

        var changed = plan.Changed.ToDictionary(a => a.Name, StringComparer.Ordinal);
        results.AddRange(await Task.WhenAll(_apps.Where(a => !plan.Removed.Contains(a.Key))
            .Select(a => a.Value.ReloadAsync(changed.GetValueOrDefault(a.Key)))));

        // The routes go to the new apps and leave the removed ones before those stop; their in-flight requests finish.
        ImmutableDictionary<string, AppSupervisor> berthYmlApps = running.RemoveRange(plan.Removed)
            .SetItems(plan.Added.Zip(launches).Select(p => KeyValuePair.Create(p.First.Name, p.Second.Supervisor!)));
        AppSupervisor[] removed = plan.Removed.Select(name => running[name]).ToArray();
        _berthYmlApps = berthYmlApps;
        _config = next;
        AppsDirectory? appsDir = _appsDir;
        BerthConfig routed = appsDir?.ComposeOver(next) ?? next; // first: it takes away the apps of apps_dir berth.yml now defines
        _apps = appsDir is null ? berthYmlApps : berthYmlApps.SetItems(appsDir.Apps);
        _edge?.Publish(routed, _apps);
        foreach (AppConfig app in plan.Added)
        {
            LogServing(app.Name, app.Module, app.Workers, app.Threads);
        }

        await Task.WhenAll(removed.Select(async app =>
        {
            LogAppRemoved(file, app.App.Name);
            await AppLauncher.StopAsync(app, _config.Server.GracefulTimeout);
            LogAppStopped(file, app.App.Name);
        }));
        return (true, [.. results]);
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Error, Message = "{File} has errors, so nothing was reloaded: the old settings and workers keep serving:\n{Errors}")]
    private partial void LogReloadRefused(string file, string errors);

    [LoggerMessage(EventId = 21, Level = LogLevel.Warning, Message = "{Key} changed: restart berth to apply it (the rest was reloaded)")]
    private partial void LogRestartNeeded(string key);

    [LoggerMessage(EventId = 22, Level = LogLevel.Information, Message = "{File}: starting new app {App} ({Module}) with {Workers} workers")]
    private partial void LogAppAdded(string file, string app, string module, int workers);

    [LoggerMessage(EventId = 23, Level = LogLevel.Error, Message = "{File} was not reloaded: a new app cannot start ({Reasons}), so the old settings and workers keep serving")]
    private partial void LogAddedAppFailed(string file, string reasons);

    [LoggerMessage(EventId = 24, Level = LogLevel.Information, Message = "{File}: app {App} was removed; it no longer takes requests, stopping it")]
    private partial void LogAppRemoved(string file, string app);

    [LoggerMessage(EventId = 25, Level = LogLevel.Information, Message = "{File}: app {App} stopped")]
    private partial void LogAppStopped(string file, string app);
}
