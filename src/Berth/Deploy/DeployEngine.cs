using System.Security.Cryptography;
using Berth.Config;
using Berth.Deploy.Steps;

namespace Berth.Deploy;

/// <summary>
/// <c>berth deploy</c> and <c>berth rollback</c>: prepares what is local once (the target commit, the files to
/// upload and their checksums), then drives each host through the steps in docs/deploy.md's order, several hosts
/// at once or in rolling batches, and returns the report the recap and the notifications are made from.
/// </summary>
/// <param name="connect">How each host is reached: <see cref="Ssh.SshHost.ConnectAsync(DeployTarget, CancellationToken)"/> in berth.</param>
public sealed partial class DeployEngine(IDeployProgress progress, TimeProvider time, RemoteConnector connect)
{
    /// <summary>The steps after preflight, in the order of docs/deploy.md's table.</summary>
    public static IReadOnlyList<IDeployStep> DeploySteps() =>
    [
        new LockStep(), new SystemPackagesStep(), new DirectoriesStep(), new CodeStep(), new VenvStep(), new SharedStep(),
        HooksStep.BeforeSwitch(), UploadStep.BerthBinary(), UploadStep.ServerConfig(), new ServiceStep(), new SmokeTestStep(),
        new SwitchStep(), new ReloadStep(), new HealthCheckStep(), HooksStep.AfterSwitch(), new CleanupStep(),
    ];

    /// <summary>A rollback builds nothing: the release and its venv are still on the host.</summary>
    public static IReadOnlyList<IDeployStep> RollbackSteps() =>
        [new LockStep(), new ServiceStep(), new SwitchStep(), new ReloadStep(), new HealthCheckStep()];

    /// <param name="hosts">The hosts of <paramref name="config"/> to deploy to (<see cref="DeployTarget.Select"/>).</param>
    public Task<DeployReport> DeployAsync(BerthConfig config, IReadOnlyList<DeployTarget> hosts, DeployOptions options, CancellationToken cancellationToken) =>
        RunAsync(config, hosts, options.Plan ? "plan" : "deploy", resolve: true, options.BreakLock, options.Plan,
            (host, inputs, ct) => RunHostAsync(host, config, inputs, options.Plan, DeploySteps(), null, ct), cancellationToken);

    /// <param name="hosts">The hosts of <paramref name="config"/> to roll back (<see cref="DeployTarget.Select"/>).</param>
    public Task<DeployReport> RollbackAsync(BerthConfig config, IReadOnlyList<DeployTarget> hosts, RollbackOptions options, CancellationToken cancellationToken) =>
        RunAsync(config, hosts, "rollback", resolve: false, breakLock: false, plan: false,
            (host, inputs, ct) => RunHostAsync(host, config, inputs, false, RollbackSteps(), context => ChooseRollbackTarget(context, options.Release), ct), cancellationToken);

    private async Task<DeployReport> RunAsync(BerthConfig config, IReadOnlyList<DeployTarget> hosts, string action, bool resolve, bool breakLock, bool plan,
        Func<DeployTarget, DeployInputs, CancellationToken, Task<HostOutcome>> run, CancellationToken cancellationToken)
    {
        DeploySettings deploy = Settings(config);
        DateTimeOffset startedAt = time.GetUtcNow();
        long started = time.GetTimestamp();
        LockOwner owner = LockOwner.Here(time);
        using var work = new LocalFiles();
        DeployInputs? inputs = null;
        DeployException? problem = null;
        try
        {
            inputs = await PrepareAsync(config, deploy, hosts, owner, breakLock, startedAt, work, resolve, cancellationToken).ConfigureAwait(false);
        }
        catch (DeployException e)
        {
            problem = e;
        }

        IReadOnlyList<HostOutcome> outcomes = inputs is null
            ? hosts.Select(h => FailPreflight(h.Host, problem!)).ToList()
            : await RunHostsAsync(hosts, deploy, plan, (host, ct) => run(host, inputs, ct), cancellationToken).ConfigureAwait(false);

        // A rollback has no one target commit: the report names the release the first host went back to.
        string revision = resolve ? inputs?.Revision ?? "" : outcomes.Select(o => o.Release).FirstOrDefault(r => r is not null) ?? "";
        var report = new DeployReport(AppName(config), action, revision, owner.Who, startedAt, time.GetElapsedTime(started), outcomes);
        progress.Completed(report);
        return report;
    }

    private static DeploySettings Settings(BerthConfig config) =>
        config.Deploy ?? throw new DeployException($"{config.Path ?? "berth.yml"} has no deploy: section", "add one: docs/deploy.md, section 3, shows every key");

    internal static string AppName(BerthConfig config) =>
        config.Apps.Count > 0 ? config.Apps[0].Name : Path.GetFileName(config.Deploy?.Path.TrimEnd('/') ?? "app");

    private static async Task<DeployInputs> PrepareAsync(BerthConfig config, DeploySettings deploy, IReadOnlyList<DeployTarget> hosts, LockOwner owner,
        bool breakLock, DateTimeOffset startedAt, LocalFiles work, bool resolve, CancellationToken cancellationToken)
    {
        string revision = resolve ? await LocalGit.ResolveAsync(deploy.Repository, deploy.Branch, deploy.Revision, cancellationToken).ConfigureAwait(false) : "";
        string binary = deploy.BerthBinary ?? RunningSingleFile() ?? throw new DeployException(
            "this berth is not a self-contained single-file build, so it cannot be put on the hosts",
            "set deploy.berth_binary: to one made with `dotnet publish src/Berth -c Release -r linux-x64 --self-contained -p:PublishSingleFile=true`, or run such a berth");
        if (!File.Exists(binary))
        {
            throw new DeployException($"deploy.berth_binary: {binary} does not exist", "publish it (docs/deploy.md, section 1) or fix the path");
        }

        if (deploy.EnvFile is { } envFile && !File.Exists(envFile))
        {
            throw new DeployException($"deploy.env_file: {envFile} does not exist", "create it (NAME=value lines, git-ignored) or remove env_file:");
        }

        string serverConfig = work.Write("berth.yml", ServerConfigRenderer.Render(config, deploy));
        string app = AppName(config);
        string unit = work.Write(SystemdUnit.UnitName(app), SystemdUnit.Render(app, deploy, deploy.ServiceUser ?? (hosts.Count > 0 ? hosts[0].Host.User : Environment.UserName)));
        // One release id for every host of the run, so the recap shows the same name wherever the same code serves.
        return new DeployInputs(revision, resolve ? ReleaseId.New(startedAt, revision) : "", deploy.Revision ?? deploy.Branch,
            binary, await Sha256Async(binary, cancellationToken).ConfigureAwait(false),
            serverConfig, await Sha256Async(serverConfig, cancellationToken).ConfigureAwait(false),
            unit, await Sha256Async(unit, cancellationToken).ConfigureAwait(false),
            deploy.EnvFile is { } env ? await Sha256Async(env, cancellationToken).ConfigureAwait(false) : null,
            owner, breakLock, startedAt);
    }

    /// <summary>This berth's own file when it is a single-file publish (no Berth.dll beside it); null when it runs from a
    /// build output, where the file is the dotnet host or a framework-dependent apphost that the hosts could not run.</summary>
    private static string? RunningSingleFile() =>
        File.Exists(Path.Combine(AppContext.BaseDirectory, typeof(DeployEngine).Assembly.GetName().Name + ".dll")) ? null : Environment.ProcessPath;

    private static async Task<string> Sha256Async(string path, CancellationToken cancellationToken)
    {
        await using FileStream file = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(file, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>A temporary directory for the files uploaded to every host, removed when the run ends.</summary>
    private sealed class LocalFiles : IDisposable
    {
        private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("berth-deploy-");

        public string Write(string name, string text)
        {
            string path = Path.Combine(_directory.FullName, name);
            File.WriteAllText(path, text);
            return path;
        }

        public void Dispose() => _directory.Delete(recursive: true);
    }
}
