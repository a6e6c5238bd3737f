using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Berth.Config;
using Berth.Deploy;
using Berth.Deploy.Ssh;
using Xunit.Abstractions;

namespace Berth.DeployTests;

/// <summary>
/// <c>berth deploy</c> end to end: the published berth, over real ssh, onto test hosts (sshd in network namespaces
/// with their own /srv), from a local git repository, with Debian's Flask in a --system-site-packages venv. Each
/// test asserts what a user sees: the text the site serves, the deploy's result, the lock, the history.
/// </summary>
[Collection(DeployCollection.Name)]
public sealed class DeployTests(PublishedBerth berth, ITestOutputHelper output) : IAsyncLifetime
{
    private const string DeployPath = "/srv/shop";
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);
    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };

    private readonly DirectoryInfo _project = Directory.CreateTempSubdirectory("berth-dt-project-");
    private SshTestHost _host = null!;
    private GitTestRepo _repo = null!;

    private string ConfigPath => Path.Combine(_project.FullName, "berth.yml");

    public async Task InitializeAsync()
    {
        _host = await SshTestHost.StartAsync();
        _repo = await GitTestRepo.CreateAsync("v1");
        WriteConfig([_host]);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _repo.Dispose();
        _project.Delete(recursive: true);
    }

    [Fact]
    public async Task A_first_deploy_serves_the_app_and_a_rerun_with_nothing_changed_does_nothing()
    {
        var clock = Stopwatch.StartNew();
        DeployReport first = await DeployAsync();
        TimeSpan firstTime = clock.Elapsed;

        Assert.True(first.Succeeded, Describe(first));
        Assert.Equal("hello from v1\n", await GetAsync(_host, "/"));
        string release = Assert.Single(await ReleasesAsync(_host));
        Assert.Equal(release, first.Hosts[0].Release);

        var progress = new RecordingProgress(output);
        clock.Restart();
        DeployReport again = await DeployAsync(progress: progress);
        TimeSpan noOpTime = clock.Elapsed;

        Assert.True(again.Succeeded, Describe(again));
        Assert.All(progress.Finished, f => Assert.True(f.Result.Status is StepStatus.Ok or StepStatus.Skipped, $"{f.Step}: {f.Result.Status} {f.Result.Reason}"));
        Assert.Equal([release], await ReleasesAsync(_host));
        Assert.Equal("hello from v1\n", await GetAsync(_host, "/"));
        output.WriteLine($"TIMING first deploy {firstTime.TotalSeconds:0.00}s; no-op re-deploy {noOpTime.TotalSeconds:0.00}s");
    }

    [Fact]
    public async Task A_new_commit_is_served_after_a_code_only_deploy_that_reuses_the_venv()
    {
        await DeployAndCheckAsync("v1");
        string sha = await _repo.CommitAppAsync("v2");

        var progress = new RecordingProgress(output);
        var clock = Stopwatch.StartNew();
        DeployReport report = await DeployAsync(progress: progress);
        output.WriteLine($"TIMING code-only deploy {clock.Elapsed.TotalSeconds:0.00}s");

        Assert.True(report.Succeeded, Describe(report));
        Assert.Equal("hello from v2\n", await GetAsync(_host, "/"));
        Assert.EndsWith(GitTestRepo.Sha7(sha), report.Hosts[0].Release, StringComparison.Ordinal);
        Assert.Equal(StepStatus.Ok, progress.Step("venv").Status);
        Assert.Contains("reused", progress.Step("venv").Reason, StringComparison.Ordinal);
        Assert.Equal(2, (await ReleasesAsync(_host)).Count);
    }

    [Fact]
    public async Task With_upload_code_the_release_comes_from_an_archive_made_here()
    {
        WriteConfig([_host], "  upload_code: true");
        var progress = new RecordingProgress(output);

        DeployReport report = await DeployAsync(progress: progress);

        Assert.True(report.Succeeded, Describe(report));
        Assert.Contains("uploaded as an archive (upload_code: true)", progress.Step("code").Reason, StringComparison.Ordinal);
        Assert.Equal("hello from v1\n", await GetAsync(_host, "/"));
        Assert.False((await _host.ExecAsync($"test -e {DeployPath}/repo/HEAD")).Succeeded, "the host cloned the repository");
    }

    [Fact]
    public async Task Cleanup_keeps_the_live_release_and_removes_older_ones_with_the_venvs_only_they_used()
    {
        WriteConfig([_host], keepReleases: 1);
        string v1 = (await DeployAndCheckAsync("v1")).Hosts[0].Release!;
        await _repo.CommitAsync(new Dictionary<string, string> { ["app.py"] = GitTestRepo.AppSource("v2"), ["requirements.txt"] = "# v2: another venv\n" }, "v2");

        string v2 = (await DeployAndCheckAsync("v2")).Hosts[0].Release!;

        Assert.NotEqual(v1, v2);
        Assert.Equal([v2], await ReleasesAsync(_host));
        Assert.Single((await _host.CheckAsync($"ls -1 {DeployPath}/shared/venvs")).Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Plan_says_what_would_change_and_changes_nothing()
    {
        await DeployAndCheckAsync("v1");
        await _repo.CommitAppAsync("v2");
        IReadOnlyList<string> before = await ReleasesAsync(_host);

        var progress = new RecordingProgress(output);
        DeployReport plan = await DeployAsync(new DeployOptions(Plan: true), progress: progress);

        Assert.True(plan.Succeeded, Describe(plan));
        Assert.Equal(StepStatus.Changed, progress.Step("code").Status);
        Assert.Contains("would check out", progress.Step("code").Reason, StringComparison.Ordinal);
        Assert.Contains("would reload", progress.Step("reload").Reason, StringComparison.Ordinal);
        Assert.Equal(before, await ReleasesAsync(_host));
        Assert.Equal("hello from v1\n", await GetAsync(_host, "/"));
        Assert.False((await _host.ExecAsync($"test -e {DeployPath}/.deploy/lock")).Succeeded);
    }

    [Fact]
    public async Task A_commit_that_does_not_import_fails_the_smoke_test_and_the_previous_release_keeps_serving()
    {
        await DeployAndCheckAsync("v1");
        await _repo.CommitAsync(new Dictionary<string, string> { ["app.py"] = "import no_such_module\n" + GitTestRepo.AppSource("v2") }, "broken");

        DeployReport report = await DeployAsync();

        HostOutcome outcome = Assert.Single(report.Hosts);
        Assert.Equal(HostStatus.Failed, outcome.Status);
        Assert.Equal("smoke test", outcome.FailedStep);
        Assert.Contains("No module named 'no_such_module'", outcome.Error, StringComparison.Ordinal);
        Assert.Equal("hello from v1\n", await GetAsync(_host, "/"));
        ReleaseRecord failed = (await HistoryAsync(_host))[^1];
        Assert.Equal(ReleaseStatus.Failed, failed.Status);
        Assert.Contains("No module named", await _host.CheckAsync($"cat {DeployPath}/releases/{failed.Id}/.deploy.log"), StringComparison.Ordinal);
        Assert.False((await _host.ExecAsync($"test -e {DeployPath}/.deploy/lock")).Succeeded);
    }

    [Fact]
    public async Task A_release_that_fails_its_health_check_is_switched_back_and_recorded_rolled_back()
    {
        await DeployAndCheckAsync("v1");
        string unhealthy = GitTestRepo.AppSource("v2").Replace("return \"ok\\n\"", "return \"down\\n\", 500", StringComparison.Ordinal);
        Assert.NotEqual(GitTestRepo.AppSource("v2"), unhealthy);
        await _repo.CommitAsync(new Dictionary<string, string> { ["app.py"] = unhealthy }, "unhealthy");

        DeployReport report = await DeployAsync();

        HostOutcome outcome = Assert.Single(report.Hosts);
        Assert.Equal(HostStatus.RolledBack, outcome.Status);
        Assert.Equal("health check", outcome.FailedStep);
        Assert.Contains("switched back", outcome.Error, StringComparison.Ordinal);
        Assert.Equal("hello from v1\n", await GetAsync(_host, "/"));
        Assert.Equal(ReleaseStatus.RolledBack, (await HistoryAsync(_host))[^1].Status);
    }

    [Fact]
    public async Task A_deploy_while_another_holds_the_lock_is_refused_naming_the_holder_and_break_lock_takes_it()
    {
        await DeployAndCheckAsync("v1");
        await _repo.CommitAppAsync("v2");
        using var holding = new ManualResetEventSlim();
        using var goOn = new ManualResetEventSlim();
        var first = new RecordingProgress(output)
        {
            OnStarted = (_, step) =>
            {
                if (step == "code")
                {
                    holding.Set();
                    goOn.Wait(Patience);
                }
            },
        };
        Task<DeployReport> running = Task.Run(() => DeployAsync(progress: first));
        Assert.True(holding.Wait(Patience));

        DeployReport refused = await DeployAsync();
        goOn.Set();
        DeployReport finished = await running;

        HostOutcome outcome = Assert.Single(refused.Hosts);
        Assert.Equal("lock", outcome.FailedStep);
        Assert.Contains($"another deploy holds the lock on {_host.DeployHost.Label}: {Environment.UserName} on {Environment.MachineName} since", outcome.Error, StringComparison.Ordinal);
        Assert.Contains("--break-lock", outcome.Error, StringComparison.Ordinal);
        Assert.True(finished.Succeeded, Describe(finished));
        Assert.Equal("hello from v2\n", await GetAsync(_host, "/"));

        // A lock left by a run that died (kill -9): refused until --break-lock.
        await _host.CheckAsync($"mkdir {DeployPath}/.deploy/lock && printf 'who=ghost\\nfrom=old-laptop\\nsince=2026-01-01T00:00:00Z\\npid=1\\n' > {DeployPath}/.deploy/lock/owner");
        Assert.Contains("ghost on old-laptop since 2026-01-01 00:00:00 UTC", (await DeployAsync()).Hosts[0].Error, StringComparison.Ordinal);
        var breaking = new RecordingProgress(output);
        DeployReport broken = await DeployAsync(new DeployOptions(BreakLock: true), progress: breaking);
        Assert.True(broken.Succeeded, Describe(broken));
        Assert.Contains("broke the lock held by ghost", breaking.Step("lock").Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancelling_a_deploy_midway_releases_the_lock_and_the_previous_release_keeps_serving()
    {
        await DeployAndCheckAsync("v1");
        await _repo.CommitAppAsync("v2");
        using var cancel = new CancellationTokenSource(Patience);
        var progress = new RecordingProgress(output) { OnStarted = (_, step) => { if (step == "venv") { cancel.Cancel(); } } };

        DeployReport report = await DeployAsync(progress: progress, cancellationToken: cancel.Token);

        HostOutcome outcome = Assert.Single(report.Hosts);
        Assert.Equal(HostStatus.Failed, outcome.Status);
        Assert.Contains("cancelled", outcome.Error, StringComparison.Ordinal);
        Assert.False((await _host.ExecAsync($"test -e {DeployPath}/.deploy/lock")).Succeeded, "the lock is still there");
        Assert.Equal("hello from v1\n", await GetAsync(_host, "/"));
        Assert.True((await DeployAsync()).Succeeded);
        Assert.Equal("hello from v2\n", await GetAsync(_host, "/"));
    }

    [Fact]
    public async Task Ctrl_C_on_the_berth_command_releases_the_lock_and_exits_1()
    {
        await DeployAndCheckAsync("v1");
        await _repo.CommitAppAsync("v2");
        var start = new ProcessStartInfo(berth.Binary) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string word in (string[])["deploy", "--config", ConfigPath])
        {
            start.ArgumentList.Add(word);
        }

        using Process deploy = Process.Start(start)!;
        Task<string> errors = deploy.StandardError.ReadToEndAsync();
        string? line;
        while ((line = await deploy.StandardOutput.ReadLineAsync()) is not null && !line.Contains("  venv …", StringComparison.Ordinal))
        {
            output.WriteLine(line);
        }

        Assert.NotNull(line);
        await HostProcess.CheckAsync("kill", ["-INT", deploy.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        string rest = await deploy.StandardOutput.ReadToEndAsync();
        await deploy.WaitForExitAsync(Deadline());
        output.WriteLine(rest + await errors);

        Assert.Equal(1, deploy.ExitCode);
        Assert.Contains("cancelled", rest, StringComparison.Ordinal);
        Assert.False((await _host.ExecAsync($"test -e {DeployPath}/.deploy/lock")).Succeeded, "the lock is still there");
        Assert.Equal("hello from v1\n", await GetAsync(_host, "/"));
    }

    [Fact]
    public async Task Rollback_puts_the_previous_good_release_back_and_records_the_one_it_left()
    {
        string v1 = (await DeployAndCheckAsync("v1")).Hosts[0].Release!;
        await _repo.CommitAppAsync("v2");
        string v2 = (await DeployAndCheckAsync("v2")).Hosts[0].Release!;

        ConfigResult loaded = ConfigLoader.Load(ConfigPath);
        DeployReport rollback = await new DeployEngine(new RecordingProgress(output), TimeProvider.System, SshHost.ConnectAsync)
            .RollbackAsync(loaded.Config!, DeployTarget.Select(loaded.Config!, [], out _), new RollbackOptions(), Deadline());

        Assert.True(rollback.Succeeded, Describe(rollback));
        Assert.Equal(v1, rollback.Hosts[0].Release);
        Assert.Equal("hello from v1\n", await GetAsync(_host, "/"));
        ReleaseRecord last = (await HistoryAsync(_host))[^1];
        Assert.Equal((v2, ReleaseStatus.RolledBack), (last.Id, last.Status));
    }

    [Fact]
    public async Task The_SQLite_file_in_shared_survives_five_deploys()
    {
        for (int deploy = 1; deploy <= 5; deploy++)
        {
            if (deploy > 1)
            {
                await _repo.CommitAppAsync($"v{deploy}");
            }

            await DeployAndCheckAsync($"v{deploy}");
            Assert.Equal($"{deploy}\n", await GetAsync(_host, "/count"));
        }

        Assert.Equal(5, (await ReleasesAsync(_host)).Count);
        Assert.True((await _host.ExecAsync($"test -f {DeployPath}/shared/data.db")).Succeeded);
    }

    [Fact]
    public async Task Two_hosts_are_deployed_in_parallel_and_both_serve_the_release()
    {
        await using SshTestHost second = await SshTestHost.StartAsync();
        // One deploy: section, one key and one known_hosts for both hosts, as for real servers.
        await File.AppendAllTextAsync(Path.Combine(second.Root, "authorized_keys"), await File.ReadAllTextAsync(_host.IdentityFile + ".pub"));
        WriteConfig([_host, second]);

        DeployReport report = await DeployAsync();

        Assert.True(report.Succeeded, Describe(report));
        Assert.Equal(2, report.Hosts.Count);
        Assert.Equal("hello from v1\n", await GetAsync(_host, "/"));
        Assert.Equal("hello from v1\n", await GetAsync(second, "/"));
        Assert.Equal(report.Hosts[0].Release, report.Hosts[1].Release);
    }

    [Fact]
    public async Task The_berth_command_deploys_and_posts_the_report_to_the_webhook()
    {
        using var receiver = new WebhookReceiver();
        WriteConfig([_host], """
              notify:
                on: [success, failure]
                webhook: { url: "${DEPLOY_WEBHOOK_URL}" }
            """);

        ProcessResult result = await HostProcess.RunAsync("env", ["NO_PROXY=*", $"DEPLOY_WEBHOOK_URL={receiver.Url}/deploy", berth.Binary, "deploy", "--config", ConfigPath], Patience);
        output.WriteLine(result.Output);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("hello from v1\n", await GetAsync(_host, "/"));
        string body = Assert.Single(receiver.Bodies);
        using JsonDocument json = JsonDocument.Parse(body);
        Assert.True(json.RootElement.GetProperty("succeeded").GetBoolean(), body);
        Assert.Equal(_host.DeployHost.Label, json.RootElement.GetProperty("hosts")[0].GetProperty("host").GetString());
    }

    private void WriteConfig(IReadOnlyList<SshTestHost> hosts, string extra = "", int keepReleases = 5)
    {
        File.WriteAllText(ConfigPath, $"""
            apps:
              web:
                module: app:app
                workers: 1
            sites:
              main:
                listen: "0.0.0.0:8000"
                hosts: [shop.test]
                app: web
            deploy:
              hosts: [{string.Join(", ", hosts.Select(h => h.DeployHost.Label))}]
              repository: {_repo.Url}
              branch: {GitTestRepo.Branch}
              path: {DeployPath}
              python: /usr/bin/python3
              venv_system_site_packages: true
              shared: [data.db]
              health_check: {"{"} path: /healthz, timeout: 3s {"}"}
              keep_releases: {keepReleases}
              berth_binary: {berth.Binary}
              ssh:
                identity_file: {_host.IdentityFile}
                known_hosts: {_host.KnownHostsFile}
            {extra}
            """);
    }

    private async Task<DeployReport> DeployAndCheckAsync(string version)
    {
        DeployReport report = await DeployAsync();
        Assert.True(report.Succeeded, Describe(report));
        Assert.Equal($"hello from {version}\n", await GetAsync(_host, "/"));
        return report;
    }

    private async Task<DeployReport> DeployAsync(DeployOptions? options = null, RecordingProgress? progress = null, CancellationToken? cancellationToken = null)
    {
        ConfigResult loaded = ConfigLoader.Load(ConfigPath);
        Assert.True(loaded.Errors.Count == 0, string.Join("\n", loaded.Errors));
        var engine = new DeployEngine(progress ?? new RecordingProgress(output), TimeProvider.System, SshHost.ConnectAsync);
        return await engine.DeployAsync(loaded.Config!, DeployTarget.Select(loaded.Config!, [], out _), options ?? new DeployOptions(), cancellationToken ?? Deadline());
    }

    private static async Task<string> GetAsync(SshTestHost host, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{host.Address}:8000{path}");
        request.Headers.Host = "shop.test";
        using HttpResponseMessage response = await Http.SendAsync(request);
        return await response.Content.ReadAsStringAsync();
    }

    private static async Task<IReadOnlyList<string>> ReleasesAsync(SshTestHost host) =>
        (await host.CheckAsync($"ls -1 {DeployPath}/releases")).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static async Task<IReadOnlyList<ReleaseRecord>> HistoryAsync(SshTestHost host) =>
        ReleaseHistory.Parse(await host.CheckAsync($"cat {DeployPath}/.deploy/releases.jsonl"));

    private static string Describe(DeployReport report) =>
        string.Join("\n", report.Hosts.Select(h => $"{h.Host}: {h.Status} {h.Release} {h.FailedStep}: {h.Error}"));

    private static CancellationToken Deadline() => new CancellationTokenSource(Patience).Token;

    /// <summary>A local endpoint for deploy.notify.webhook: records each body and answers 200.</summary>
    private sealed class WebhookReceiver : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Task _loop;

        public WebhookReceiver()
        {
            using var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            int port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            Url = $"http://127.0.0.1:{port}";
            _listener.Prefixes.Add(Url + "/");
            _listener.Start();
            _loop = Task.Run(async () =>
            {
                while (_listener.IsListening)
                {
                    try
                    {
                        HttpListenerContext context = await _listener.GetContextAsync();
                        using var reader = new StreamReader(context.Request.InputStream);
                        Bodies.Add(await reader.ReadToEndAsync());
                        context.Response.StatusCode = 200;
                        context.Response.Close();
                    }
                    catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                    {
                        return;
                    }
                }
            });
        }

        public string Url { get; }

        public System.Collections.Concurrent.ConcurrentBag<string> Bodies { get; } = [];

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
    }
}
