using System.Net;

namespace Berth.IntegrationTests;

/// <summary>
/// A full reload (SIGHUP, or <c>berth reload</c> without an app) reads berth.yml again, as gunicorn's HUP does: new
/// settings, new and removed apps and mounts take effect without a restart; a broken file changes nothing; settings
/// of the master itself are named as needing one.
/// </summary>
public sealed class ConfigReloadTests : IDisposable
{
    private const int SigHup = 1;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly string _dir = Directory.CreateTempSubdirectory("berth-reload").FullName;

    private string ConfigPath => Path.Combine(_dir, "berth.yml");

    private static string Web(int workers) => $"""
          web:
            module: flask_app:application
            python: {BerthProcess.SystemPython}
            chdir: {BerthProcess.AppsDir}
            workers: {workers}
        """;

    private static string Blog => $"""
          blog:
            module: pyramid_app:application
            python: {BerthProcess.SystemPython}
            chdir: {BerthProcess.AppsDir}
            workers: 1
        """;

    private void Write(string apps, string mounts, string extra = "") =>
        File.WriteAllText(ConfigPath, $"apps:\n{apps}\nsites:\n  main:\n    mounts:\n{mounts}\n{extra}");

    [Fact]
    public async Task A_hangup_applies_a_new_worker_count_a_new_app_with_its_mounts_and_the_removal_of_both()
    {
        string files = Directory.CreateDirectory(Path.Combine(_dir, "files")).FullName;
        await File.WriteAllTextAsync(Path.Combine(files, "note.txt"), "from the edge");
        Write(Web(2), "      /web: web");
        await using BerthProcess berth = await BerthProcess.StartAsync(["serve", "--config", ConfigPath]);
        using HttpClient client = berth.CreateClient();
        HashSet<string> two = await BerthProcess.PidsAsync(client, "/web/pid", 2);

        Write(Web(3), "      /web: web");
        berth.Signal(SigHup);
        HashSet<string> three = await WaitForNewPidsAsync(berth, client, "/web/pid", 3, two); // rolling: every worker is new
        Assert.Equal(3, three.Count);

        Write(Web(3) + "\n" + Blog, "      /web: web\n      /blog: blog\n    static:\n      /files/: files");
        berth.Signal(SigHup);
        await berth.WaitUntilAsync(async () => await BerthProcess.AnswerAsync(client, "/blog/hello") == "Hello, World!", "/blog to answer");
        Assert.Equal("from the edge", await client.GetStringAsync("/files/note.txt"));
        HashSet<string> blog = await BerthProcess.PidsAsync(client, "/blog/pid", 1);

        Write(Web(3), "      /web: web");
        berth.Signal(SigHup);
        await berth.WaitUntilAsync(async () => (await client.GetAsync("/blog/pid")).StatusCode == HttpStatusCode.NotFound, "/blog to answer 404");
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/files/note.txt")).StatusCode);
        await berth.WaitUntilAsync(() => Task.FromResult(blog.All(pid => !Directory.Exists($"/proc/{pid}"))), "the workers of blog to exit");
        await berth.WaitForOutputAsync("app blog stopped", Patience);
        Assert.Equal("Hello, World!", await client.GetStringAsync("/web/hello"));
        Assert.DoesNotContain("restart berth", berth.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_broken_file_or_a_new_app_that_cannot_start_changes_nothing_and_the_file_is_named_at_its_line()
    {
        Write(Web(2), "      /web: web");
        await using BerthProcess berth = await BerthProcess.StartAsync(["serve", "--config", ConfigPath]);
        using HttpClient client = berth.CreateClient();
        HashSet<string> before = await BerthProcess.PidsAsync(client, "/web/pid", 2);

        Write(Web(2).Replace("workers: 2", "wokers: 3", StringComparison.Ordinal), "      /web: web");
        (int code, string output) = await BerthProcess.RunAsync("reload", "--control", berth.ControlPath!);

        Assert.Equal(1, code);
        Assert.Contains($"{ConfigPath}:6: apps.web.wokers: unknown setting", output, StringComparison.Ordinal);
        Assert.Contains("Fix: did you mean `workers`?", output, StringComparison.Ordinal);
        await berth.WaitForOutputAsync($"{ConfigPath} has errors, so nothing was reloaded", Patience);
        Assert.Contains($"{ConfigPath}:6: apps.web.wokers: unknown setting", berth.Output, StringComparison.Ordinal);
        Assert.Equal(before, await BerthProcess.PidsAsync(client, "/web/pid", 2));

        File.WriteAllText(ConfigPath, "apps:\n  web: [\n");
        berth.Signal(SigHup);
        string log = await berth.WaitForOutputAsync("not valid YAML", Patience);
        Assert.Matches($@"{System.Text.RegularExpressions.Regex.Escape(ConfigPath)}:\d+: not valid YAML", log);
        Assert.Equal(before, await BerthProcess.PidsAsync(client, "/web/pid", 2));

        Write(Web(2) + "\n" + Blog.Replace("pyramid_app", "broken_app", StringComparison.Ordinal), "      /web: web\n      /blog: blog");
        (int bootCode, string bootOutput) = await BerthProcess.RunAsync("reload", "--control", berth.ControlPath!);

        Assert.Equal(1, bootCode);
        Assert.Contains("app blog: it cannot start; the Python traceback is above", bootOutput, StringComparison.Ordinal);
        Assert.Contains($"{ConfigPath} was not reloaded: a new app cannot start", bootOutput, StringComparison.Ordinal);
        Assert.Contains("No module named 'no_such_module_berth'", berth.Output, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/blog/hello")).StatusCode);
        Assert.Equal(before, await BerthProcess.PidsAsync(client, "/web/pid", 2));
    }

    [Fact]
    public async Task A_changed_env_value_reaches_the_app_after_a_hangup()
    {
        await File.WriteAllTextAsync(Path.Combine(_dir, "envapp.py"), """
            import os

            def application(environ, start_response):
                start_response('200 OK', [('Content-Type', 'text/plain')])
                return [os.environ.get('GREETING', '-').encode()]
            """);
        string App(string greeting) => $"  envapp:\n    module: envapp:application\n    python: {BerthProcess.SystemPython}\n    workers: 1\n    env: {{ GREETING: {greeting} }}";
        Write(App("hello"), "      /: envapp");
        await using BerthProcess berth = await BerthProcess.StartAsync(["serve", "--config", ConfigPath]);
        using HttpClient client = berth.CreateClient();
        Assert.Equal("hello", await client.GetStringAsync("/"));

        Write(App("bonjour"), "      /: envapp");
        berth.Signal(SigHup);
        await berth.WaitUntilAsync(async () => await BerthProcess.AnswerAsync(client, "/") == "bonjour", "the new GREETING to reach the app");
    }

    [Fact]
    public async Task A_new_listen_address_or_server_setting_is_named_as_needing_a_restart_and_the_old_listener_keeps_serving()
    {
        int port = BerthProcess.FreePort(), other = BerthProcess.FreePort();
        Write(Web(1), "      /web: web", $"    listen: 127.0.0.1:{port}\n");
        await using BerthProcess berth = await BerthProcess.StartAsync(["serve", "--config", ConfigPath], bind: false, port: port);
        using HttpClient client = berth.CreateClient();
        string pid = await client.GetStringAsync("/web/pid");

        Write(Web(1), "      /web: web", $"    listen: 127.0.0.1:{other}\nserver:\n  graceful_timeout: 5s\n");
        (int code, string output) = await BerthProcess.RunAsync("reload", "--control", berth.ControlPath!);

        Assert.True(code == 0, output);
        Assert.Contains("server.graceful_timeout changed: restart berth to apply it (the rest was reloaded)", output, StringComparison.Ordinal);
        Assert.Contains("sites.main.listen changed: restart berth to apply it (the rest was reloaded)", output, StringComparison.Ordinal);
        await berth.WaitForOutputAsync("sites.main.listen changed: restart berth to apply it", Patience);
        string after = await client.GetStringAsync("/web/pid");
        Assert.NotEqual(pid, after); // the app was reloaded all the same
    }

    /// <summary>Waits for <paramref name="workers"/> distinct pids behind <paramref name="path"/>, none of them
    /// <paramref name="old"/>: a HUP returns before the reload is done, and old workers serve until it is.</summary>
    private static async Task<HashSet<string>> WaitForNewPidsAsync(BerthProcess berth, HttpClient client, string path, int workers, HashSet<string> old)
    {
        HashSet<string> pids = [];
        await berth.WaitUntilAsync(async () =>
        {
            pids = await BerthProcess.PidsSeenAsync(client, path, workers * 4);
            return pids.Count == workers && !pids.Overlaps(old);
        }, $"{workers} workers behind {path}");
        return pids;
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
