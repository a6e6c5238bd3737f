using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Berth.IntegrationTests;

/// <summary>
/// The supervisor with real workers: deadlines, recycling, reloads and scaling, each under a bounded
/// load that counts failed requests — the number a user notices.
/// </summary>
public sealed partial class SupervisionTests
{
    /// <summary>Requests in a few parallel loops until <paramref name="until"/> completes (or a bound is hit); returns the status codes seen.</summary>
    private static async Task<LoadResult> LoadAsync(BerthProcess berth, Task until, string path = "/pid", int loops = 4, int maxRequests = 20_000)
    {
        var statuses = new ConcurrentBag<int>();
        var pids = new ConcurrentDictionary<string, bool>();
        int sent = 0;
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        async Task Loop()
        {
            using HttpClient client = berth.CreateClient();
            while (!until.IsCompleted && !bound.IsCancellationRequested && Interlocked.Increment(ref sent) <= maxRequests)
            {
                try
                {
                    using HttpResponseMessage response = await client.GetAsync(path, bound.Token);
                    statuses.Add((int)response.StatusCode);
                    if (response.IsSuccessStatusCode)
                    {
                        pids[await response.Content.ReadAsStringAsync()] = true;
                    }
                }
                catch (HttpRequestException)
                {
                    statuses.Add(0);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, loops).Select(_ => Loop()));
        return new LoadResult(statuses.ToArray(), pids.Keys.ToHashSet());
    }

    private sealed record LoadResult(int[] Statuses, HashSet<string> Pids)
    {
        public int Failed => Statuses.Count(s => s != 200);
    }

    private static Task WhenOutputCountReaches(BerthProcess berth, string text, int count, TimeSpan timeout) => Task.Run(async () =>
    {
        using var cancel = new CancellationTokenSource(timeout);
        while (!cancel.IsCancellationRequested && Regex.Count(berth.Output, Regex.Escape(text)) < count)
        {
            await Task.Delay(100);
        }
    });

    [Fact]
    public async Task A_request_past_its_deadline_gets_504_and_the_workers_stack_is_logged()
    {
        await using BerthProcess berth = await FrameworkAppTests.ServeAsync("flask_app:application", "", "--timeout", "2");
        using HttpClient client = berth.CreateClient();

        using HttpResponseMessage response = await client.GetAsync("/slow?s=30");

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Contains("timeout", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        string log = await berth.WaitForOutputAsync("cause: timeout", TimeSpan.FromSeconds(15));
        Assert.Matches(@"worker \d \(pid \d+\) exceeded timeout 2s on GET /slow", log);
        Assert.Contains("flask_app.py", log[log.IndexOf("exceeded timeout", StringComparison.Ordinal)..], StringComparison.Ordinal); // faulthandler's stack names the view's file
        Assert.Equal("Hello, World!", await client.GetStringAsync("/hello"));
    }

    [Fact]
    public async Task Recycling_by_request_count_loses_no_request()
    {
        await using BerthProcess berth = await FrameworkAppTests.ServeAsync("flask_app:application", "", "--max-requests", "25", "--max-requests-jitter", "5");

        LoadResult load = await LoadAsync(berth, WhenOutputCountReaches(berth, "cause: max-requests", 4, TimeSpan.FromSeconds(60)), maxRequests: 2000);

        Assert.Equal(0, load.Failed);
        Assert.True(load.Pids.Count > 2, $"expected recycled workers, saw pids {string.Join(",", load.Pids)}");
        Assert.Contains("cause: max-requests", berth.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Recycling_by_lifetime_loses_no_request()
    {
        await using BerthProcess berth = await FrameworkAppTests.ServeAsync("flask_app:application", "", "--max-lifetime", "2s");

        LoadResult load = await LoadAsync(berth, WhenOutputCountReaches(berth, "cause: lifetime", 2, TimeSpan.FromSeconds(60)), loops: 2, maxRequests: 100_000);

        Assert.Equal(0, load.Failed);
        Assert.Contains("cause: lifetime", berth.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Recycling_by_memory_loses_no_request()
    {
        // A Flask worker's RSS is well above 16 MB, so every worker passes the limit; it is recycled
        // after three samples in a row, never at the first.
        await using BerthProcess berth = await FrameworkAppTests.ServeAsync("flask_app:application", "", "--max-memory", "16M");

        LoadResult load = await LoadAsync(berth, WhenOutputCountReaches(berth, "cause: memory", 2, TimeSpan.FromSeconds(60)), loops: 2, maxRequests: 100_000);

        Assert.Equal(0, load.Failed);
        Assert.Matches(@"recycling worker \d \(pid \d+\): RSS \d+ MB above max_memory 16 MB", berth.Output);
        Assert.Contains("cause: memory", berth.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Repeated_reloads_under_load_fail_no_request()
    {
        await using BerthProcess berth = await FrameworkAppTests.ServeAsync("flask_app:application", "", "--control", ControlPath());
        Task reloads = Task.Run(async () =>
        {
            for (int i = 0; i < 5; i++)
            {
                (int code, string output) = await BerthProcess.RunAsync("reload", "--control", berth.ControlPath!);
                Assert.True(code == 0, output);
            }
        });

        LoadResult load = await LoadAsync(berth, reloads);
        await reloads;

        Assert.Equal(0, load.Failed);
        Assert.True(load.Statuses.Length > 50, $"only {load.Statuses.Length} requests ran during the reloads");
        Assert.True(load.Pids.Count >= 10, $"5 reloads of 2 workers should show at least 10 pids, saw {load.Pids.Count}");
    }

    [Fact]
    public async Task A_reload_whose_new_code_fails_to_import_keeps_the_old_workers_serving()
    {
        string dir = Directory.CreateTempSubdirectory("berth-reload").FullName;
        string module = Path.Combine(dir, "versioned.py");
        await File.WriteAllTextAsync(module, "def application(environ, start_response):\n    start_response('200 OK', [('Content-Type', 'text/plain')])\n    return [b'v1']\n");
        await using BerthProcess berth = await BerthProcess.StartAsync(["serve", "versioned:application", "--chdir", dir, "--python", BerthProcess.SystemPython, "--control", ControlPath()]);
        using HttpClient client = berth.CreateClient();
        Assert.Equal("v1", await client.GetStringAsync("/"));

        await File.WriteAllTextAsync(module, "def application(environ, start_response)\n    broken here\n");
        (int code, string output) = await BerthProcess.RunAsync("reload", "--control", berth.ControlPath!);

        Assert.NotEqual(0, code);
        Assert.Contains("SyntaxError", output, StringComparison.Ordinal);
        Assert.Contains("old workers keep serving", output, StringComparison.Ordinal);
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal("v1", await client.GetStringAsync("/"));
        }

        await File.WriteAllTextAsync(module, "def application(environ, start_response):\n    start_response('200 OK', [('Content-Type', 'text/plain')])\n    return [b'v2']\n");
        (int fixedCode, string fixedOutput) = await BerthProcess.RunAsync("reload", "--control", berth.ControlPath!);
        Assert.True(fixedCode == 0, fixedOutput);
        Assert.Equal("v2", await client.GetStringAsync("/"));
    }

    [Fact]
    public async Task A_worker_hung_outside_any_request_is_found_by_the_heartbeat_and_replaced_with_its_stack_in_the_log()
    {
        string dir = Directory.CreateTempSubdirectory("berth-heartbeat").FullName;

        // A background job whose regular expression goes exponential: one C call that holds the GIL for good, so
        // the worker is idle (its response went out) but can no longer read its connection.
        await File.WriteAllTextAsync(Path.Combine(dir, "runaway.py"), """
            import os, re, threading, time

            def runaway_job():
                time.sleep(0.5)
                re.match(r'(a+)+$', 'a' * 64 + '!')

            def application(environ, start_response):
                if environ['PATH_INFO'] == '/start-job':
                    threading.Thread(target=runaway_job, daemon=True).start()
                start_response('200 OK', [('Content-Type', 'text/plain')])
                return [str(os.getpid()).encode()]
            """);
        string config = Path.Combine(dir, "berth.yml");
        await File.WriteAllTextAsync(config, $"""
            apps:
              runaway:
                module: runaway:application
                python: {BerthProcess.SystemPython}
                chdir: {dir}
                workers: 1
                heartbeat: 1s
            sites:
              main:
                app: runaway
            """);
        await using BerthProcess berth = await BerthProcess.StartAsync(["serve", "--config", config, "--control", ControlPath()]);
        using HttpClient client = berth.CreateClient();
        string hung = await client.GetStringAsync("/start-job");

        string log = await berth.WaitForOutputAsync("cause: unresponsive", TimeSpan.FromSeconds(30));
        Assert.Matches($@"worker 1 \(pid {hung}\) is unresponsive: idle, it has not answered a ping", log);
        Assert.Contains("in runaway_job", log[log.IndexOf("is unresponsive", StringComparison.Ordinal)..], StringComparison.Ordinal); // faulthandler's stack
        await berth.WaitUntilAsync(() => Task.FromResult(!Directory.Exists($"/proc/{hung}")), "the hung worker to be gone");
        for (int i = 0; i < 10; i++)
        {
            string pid = await client.GetStringAsync("/");
            Assert.NotEqual(hung, pid);
        }

        (_, string status) = await BerthProcess.RunAsync("status", "--control", berth.ControlPath!);
        Assert.Contains("unresponsive", status, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_and_scale_through_the_control_socket()
    {
        await using BerthProcess berth = await FrameworkAppTests.ServeAsync("flask_app:application", "", "--control", ControlPath());
        using HttpClient client = berth.CreateClient();
        await client.GetStringAsync("/hello");

        (int scaleCode, string scaleOutput) = await BerthProcess.RunAsync("scale", "flask_app", "3", "--control", berth.ControlPath!);
        Assert.True(scaleCode == 0, scaleOutput);

        JsonElement app = default;
        for (int attempt = 0; attempt < 100; attempt++)
        {
            (int code, string json) = await BerthProcess.RunAsync("status", "--json", "--control", berth.ControlPath!);
            Assert.True(code == 0, json);
            using JsonDocument status = JsonDocument.Parse(json);
            app = status.RootElement.GetProperty("apps")[0].Clone();
            if (app.GetProperty("workers").EnumerateArray().Count(w => w.GetProperty("state").GetString() == "ready") == 3)
            {
                break;
            }

            await Task.Delay(100);
        }

        Assert.Equal("flask_app", app.GetProperty("name").GetString());
        JsonElement[] workers = app.GetProperty("workers").EnumerateArray().ToArray();
        Assert.Equal(3, workers.Length);
        Assert.All(workers, w => Assert.True(w.GetProperty("pid").GetInt32() > 0));
        Assert.All(workers, w => Assert.True(w.GetProperty("rss_bytes").GetInt64() > 0));
        Assert.Equal(1, workers.Sum(w => w.GetProperty("requests_served").GetInt64()));

        (int downCode, _) = await BerthProcess.RunAsync("scale", "flask_app", "1", "--control", berth.ControlPath!);
        Assert.Equal(0, downCode);
        await berth.WaitForOutputAsync("cause: scale-down", TimeSpan.FromSeconds(15));

        (int unknownCode, string unknown) = await BerthProcess.RunAsync("scale", "nope", "2", "--control", berth.ControlPath!);
        Assert.NotEqual(0, unknownCode);
        Assert.Contains("flask_app", unknown, StringComparison.Ordinal);

        (int stopCode, _) = await BerthProcess.RunAsync("stop", "--control", berth.ControlPath!);
        Assert.Equal(0, stopCode);
        Assert.Equal(0, await berth.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task SIGTTIN_adds_a_worker_and_SIGTTOU_removes_one()
    {
        await using BerthProcess berth = await FrameworkAppTests.ServeAsync("flask_app:application");

        berth.Signal(21); // SIGTTIN
        await berth.WaitForOutputAsync("scaled from 2 to 3 workers", TimeSpan.FromSeconds(10));
        await berth.WaitForOutputAsync("worker 3 (pid", TimeSpan.FromSeconds(20));
        berth.Signal(22); // SIGTTOU
        await berth.WaitForOutputAsync("scaled from 3 to 2 workers", TimeSpan.FromSeconds(10));
        await berth.WaitForOutputAsync("cause: scale-down", TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task A_second_SIGTERM_forces_the_stop()
    {
        await using BerthProcess berth = await FrameworkAppTests.ServeAsync("flask_app:application", "", "--graceful-timeout", "60");
        using HttpClient client = berth.CreateClient();
        Task<HttpResponseMessage> slow = client.GetAsync("/slow?s=30");
        await Task.Delay(700);

        berth.Signal(15);
        await berth.WaitForOutputAsync("shutting down", TimeSpan.FromSeconds(10));
        berth.Signal(15);

        Assert.NotEqual(0, await berth.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        await Assert.ThrowsAnyAsync<Exception>(() => slow);
    }

    private static string ControlPath() => Path.Combine(Directory.CreateTempSubdirectory("berth-ctl").FullName, "control.sock");
}

/// <summary>What happens when replacements cannot boot: no spinning, the healthy workers keep serving, the reason is shown.</summary>
public sealed class BootFailureTests
{
    private const string Working = """
        import os

        def application(environ, start_response):
            if environ['PATH_INFO'] == '/crash':
                os._exit(1)
            start_response('200 OK', [('Content-Type', 'text/plain')])
            return [b'v1']
        """;

    [Fact]
    public async Task Replacements_that_keep_failing_to_import_mark_the_app_failed_and_a_good_reload_revives_it()
    {
        string dir = Directory.CreateTempSubdirectory("berth-bootfail").FullName;
        string module = Path.Combine(dir, "fragile.py");
        await File.WriteAllTextAsync(module, Working);
        await using BerthProcess berth = await BerthProcess.StartAsync(["serve", "fragile:application", "--chdir", dir, "--python", BerthProcess.SystemPython, "-w", "1"]);
        using HttpClient client = berth.CreateClient();
        Assert.Equal("v1", await client.GetStringAsync("/"));

        // The code on disk breaks, then the only worker crashes: every replacement fails to import.
        await File.WriteAllTextAsync(module, "import no_such_module_for_berth\n");
        Assert.Equal(HttpStatusCode.BadGateway, (await client.GetAsync("/crash")).StatusCode);
        string log = await berth.WaitForOutputAsync("app failed:", TimeSpan.FromSeconds(60));

        Assert.InRange(Regex.Count(log, "cause: boot-failure"), 5, 6); // gave up instead of spinning
        using HttpResponseMessage refused = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Contains("no_such_module_for_berth", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        await File.WriteAllTextAsync(module, Working.Replace("v1", "v2", StringComparison.Ordinal));
        (int code, string output) = await BerthProcess.RunAsync("reload", "--control", berth.ControlPath!);
        Assert.True(code == 0, output);
        Assert.Equal("v2", await client.GetStringAsync("/"));
    }

    [Fact]
    public async Task When_replacements_fail_the_healthy_workers_keep_serving()
    {
        string dir = Directory.CreateTempSubdirectory("berth-bootfail").FullName;
        string module = Path.Combine(dir, "fragile.py");
        await File.WriteAllTextAsync(module, Working);
        await using BerthProcess berth = await BerthProcess.StartAsync(["serve", "fragile:application", "--chdir", dir, "--python", BerthProcess.SystemPython, "-w", "2"]);
        using HttpClient client = berth.CreateClient();

        await File.WriteAllTextAsync(module, "raise RuntimeError('broken deploy')\n");
        Assert.Equal(HttpStatusCode.BadGateway, (await client.GetAsync("/crash")).StatusCode);
        await berth.WaitForOutputAsync("app failed:", TimeSpan.FromSeconds(60));

        for (int i = 0; i < 5; i++)
        {
            Assert.Equal("v1", await client.GetStringAsync("/")); // the surviving worker still runs the code it imported
        }
    }
}
