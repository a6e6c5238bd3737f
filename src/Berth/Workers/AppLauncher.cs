using Berth.Config;
using Microsoft.Extensions.Logging;

namespace Berth.Workers;

/// <summary>
/// Starts and stops whole apps while berth serves: the apps of apps_dir's files (<see cref="AppsDirectory"/>) and
/// those a reload of berth.yml adds or removes (<see cref="Master"/>). An app is handed over only once its workers
/// are ready, so its routes never reach it earlier; one that cannot boot is stopped again and named with why.
/// </summary>
public sealed class AppLauncher(string shimPath, string runtimeDirectory, ILoggerFactory logs, TimeProvider time)
{
    // A new app that neither reports ready nor fails in this long is stuck in its import (on a database that does
    // not answer, say), not slow: tests/apps/django_app imports in 0.4 s on the development machine, and large
    // projects in a few seconds. Past it the app is stopped, so that what waits for it is not held up.
    public static readonly TimeSpan BootLimit = TimeSpan.FromMinutes(1);

    private static readonly TimeSpan StopAfterFailedBoot = TimeSpan.FromSeconds(5);

    /// <summary>Why an app did not start.</summary>
    public enum Failure { None, CannotStart, BootFailed, BootTimedOut }

    /// <summary>The supervisor of the ready app, or null and <paramref name="Failure"/> (with the reason, for
    /// <see cref="Failure.CannotStart"/>; the others' reasons are the Python output already logged).</summary>
    public readonly record struct Launch(AppSupervisor? Supervisor, Failure Failure, string Reason);

    public async Task<Launch> StartAsync(AppConfig app, CancellationToken cancellationToken)
    {
        AppSupervisor supervisor;
        try
        {
            supervisor = new AppSupervisor(app, shimPath, runtimeDirectory, logs, time);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
        {
            return new Launch(null, Failure.CannotStart, e.Message);
        }

        try
        {
            await supervisor.StartAsync(cancellationToken).WaitAsync(BootLimit, time, cancellationToken);
            return new Launch(supervisor, Failure.None, "");
        }
        catch (Exception e) when (e is AppBootException or TimeoutException)
        {
            await StopAsync(supervisor, StopAfterFailedBoot);
            return e is AppBootException
                ? new Launch(null, Failure.BootFailed, "it cannot start; the Python traceback is above")
                : new Launch(null, Failure.BootTimedOut, $"it was not ready after {BootLimit.TotalSeconds}s, so it was stopped; its workers' output is above");
        }
        catch
        {
            await StopAsync(supervisor, StopAfterFailedBoot);
            throw;
        }
    }

    /// <summary>Lets the app's workers finish what they have (take its routes away first), then frees its socket.</summary>
    public static async Task StopAsync(AppSupervisor supervisor, TimeSpan grace)
    {
        await supervisor.StopAsync(grace);
        await supervisor.DisposeAsync();
    }
}
