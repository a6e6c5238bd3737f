using System.Net;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Berth.IntegrationTests;

/// <summary>
/// <c>--preload</c>: the app is imported once in a zygote and the workers are forked from it, so a
/// worker's parent is the zygote, not berth (docs/protocol.md, "Preload").
/// </summary>
public sealed partial class PreloadTests
{
    private const string Django = "djapp.wsgi:application";
    private const string DjangoDir = "django_app";

    [Fact]
    public async Task Requests_are_served_by_distinct_workers_forked_from_one_zygote()
    {
        await using BerthProcess berth = await FrameworkAppTests.ServeAsync(Django, DjangoDir, "-w", "3", "--preload");
        using HttpClient client = berth.CreateClient();

        HashSet<int> pids = await PidsAsync(client, 9);

        Assert.Equal(3, pids.Count);
        int zygote = Assert.Single(pids.Select(ParentOf).Distinct());
        Assert.NotEqual(berth.Pid, zygote);
        Assert.Equal(berth.Pid, ParentOf(zygote));
        Assert.Contains("--zygote", await File.ReadAllTextAsync($"/proc/{zygote}/cmdline"), StringComparison.Ordinal);
        Assert.Contains($"zygote (pid {zygote}) imported the app", berth.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_forked_worker_that_crashes_is_a_502_and_its_replacement_is_forked_too()
    {
        await using BerthProcess berth = await FrameworkAppTests.ServeAsync(Django, DjangoDir, "-w", "2", "--preload");
        using HttpClient client = berth.CreateClient();
        HashSet<int> before = await PidsAsync(client, 4);
        int zygote = ParentOf(before.First());

        using HttpResponseMessage crashed = await client.GetAsync("/crash");
        Assert.Equal(HttpStatusCode.BadGateway, crashed.StatusCode);

        string output = await berth.WaitForOutputAsync("worker 3 (pid", TimeSpan.FromSeconds(20));
        Assert.Matches(@"worker \d \(pid \d+\) exited: exit code 1; cause: crash", output);
        int replacement = int.Parse(Regex.Match(output, @"worker 3 \(pid (\d+)\) ready").Groups[1].Value);
        Assert.DoesNotContain(replacement, before);
        Assert.Equal(zygote, ParentOf(replacement));
        HashSet<int> after = await PidsAsync(client, 4);
        Assert.Contains(replacement, after);
        Assert.All(after, pid => Assert.Equal(zygote, ParentOf(pid)));
    }

    [Fact]
    public async Task Sighup_imports_again_in_a_new_zygote_and_keeps_serving_through_the_reload()
    {
        await using BerthProcess berth = await FrameworkAppTests.ServeAsync(Django, DjangoDir, "-w", "2", "--preload");
        using HttpClient client = berth.CreateClient();
        HashSet<int> before = await PidsAsync(client, 4);
        int oldZygote = ParentOf(before.First());

        Assert.Equal(0, Kill(berth.Pid, SigHup));
        while (!berth.Output.Contains("reloaded:", StringComparison.Ordinal))
        {
            using HttpResponseMessage response = await client.GetAsync("/hello");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        HashSet<int> after = await PidsAsync(client, 4);
        Assert.Empty(after.Intersect(before));
        int newZygote = Assert.Single(after.Select(ParentOf).Distinct());
        Assert.NotEqual(oldZygote, newZygote);
        Assert.Equal(berth.Pid, ParentOf(newZygote));

        // The old zygote leaves once the old workers, which finish their requests first, are gone.
        await berth.WaitForOutputAsync($"zygote (pid {oldZygote}) exited: exit code 0", TimeSpan.FromSeconds(20));
        Assert.Equal(2, Regex.Count(berth.Output, @"importing djapp\.wsgi:application once"));
    }

    [Fact]
    public async Task A_reload_whose_code_fails_to_import_leaves_the_old_zygote_forking_the_old_code()
    {
        string dir = Directory.CreateTempSubdirectory("berth-preload").FullName;
        string app = Path.Combine(dir, "reloaded_app.py");
        File.Copy(Path.Combine(BerthProcess.AppsDir, "plain_wsgi.py"), app);
        await using BerthProcess berth = await BerthProcess.StartAsync(
            ["serve", "reloaded_app:application", "--python", BerthProcess.SystemPython, "--chdir", dir, "-w", "2", "--preload"]);
        using HttpClient client = berth.CreateClient();
        HashSet<int> before = await PidsAsync(client, 4);
        int zygote = ParentOf(before.First());

        File.WriteAllText(app, "import no_such_module_after_reload\n");
        Assert.Equal(0, Kill(berth.Pid, SigHup));
        await berth.WaitForOutputAsync("reload stopped", TimeSpan.FromSeconds(20));
        Assert.Contains("no_such_module_after_reload", berth.Output, StringComparison.Ordinal);
        Assert.Subset(before, await PidsAsync(client, 4));

        // A crash now is replaced from the old zygote, which still has the code that works.
        using HttpResponseMessage crashed = await client.GetAsync("/crash");
        Assert.Equal(HttpStatusCode.BadGateway, crashed.StatusCode);
        string output = await berth.WaitForOutputAsync("worker 3 (pid", TimeSpan.FromSeconds(20));
        int replacement = int.Parse(Regex.Match(output, @"worker 3 \(pid (\d+)\) ready").Groups[1].Value);
        Assert.Equal(zygote, ParentOf(replacement));
        Assert.Equal("Hello, World!", await client.GetStringAsync("/hello"));
    }

    [Fact]
    public async Task When_the_zygote_is_killed_its_workers_are_replaced_from_a_new_zygote()
    {
        await using BerthProcess berth = await FrameworkAppTests.ServeAsync(Django, DjangoDir, "-w", "2", "--preload");
        using HttpClient client = berth.CreateClient();
        HashSet<int> before = await PidsAsync(client, 4);
        int zygote = ParentOf(before.First());

        Assert.Equal(0, Kill(zygote, SigKill));

        // Nothing would report the exits of its orphans, so berth stops them and forks anew.
        await berth.WaitForOutputAsync("worker 4 (pid", TimeSpan.FromSeconds(20));
        Assert.Contains($"zygote (pid {zygote}) died: killed by signal 9", berth.Output, StringComparison.Ordinal);
        HashSet<int> after = await PidsAsync(client, 4);
        Assert.Empty(after.Intersect(before));
        int newZygote = Assert.Single(after.Select(ParentOf).Distinct());
        Assert.Equal(berth.Pid, ParentOf(newZygote));
    }

    [Fact]
    public async Task A_forked_workers_output_is_logged_under_its_own_id()
    {
        await using BerthProcess berth = await FrameworkAppTests.ServeAsync("plain_wsgi:application", "", "--preload");
        using HttpClient client = berth.CreateClient();

        await client.GetStringAsync("/print");

        string output = await berth.WaitForOutputAsync("printed by the view", TimeSpan.FromSeconds(5));
        Assert.Contains("imported the app", output, StringComparison.Ordinal); // through a zygote, not a started worker
        Assert.Matches(@"\[plain_wsgi:\d\] printed by the view", output);
        Assert.DoesNotContain("zygote] printed", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_broken_app_with_preload_stops_serve_with_exit_3_and_the_traceback()
    {
        (int code, string output) = await BerthProcess.RunAsync(
            "serve", "broken_app:application", "--python", BerthProcess.SystemPython, "--chdir", BerthProcess.AppsDir,
            "-w", "2", "--preload", "-b", $"127.0.0.1:{BerthProcess.FreePort()}");

        Assert.Equal(3, code);
        Assert.Contains("[broken_app:zygote] Traceback", output, StringComparison.Ordinal);
        Assert.Contains("no_such_module_berth", output, StringComparison.Ordinal);
        Assert.Contains("cannot start:\nTraceback", output, StringComparison.Ordinal); // the zygote's BOOT_ERROR, not just its exit code
        // One import, no worker started, no restart loop.
        Assert.Equal(1, Regex.Count(output, "importing broken_app:application once"));
        Assert.DoesNotContain("[broken_app:1]", output, StringComparison.Ordinal);
    }

    private static async Task<HashSet<int>> PidsAsync(HttpClient client, int requests)
    {
        var pids = new HashSet<int>();
        for (int i = 0; i < requests; i++)
        {
            pids.Add(int.Parse(await client.GetStringAsync("/pid")));
        }

        return pids;
    }

    /// <summary>Field 4 of /proc/PID/stat, counted after the command name, which may hold spaces.</summary>
    private static int ParentOf(int pid)
    {
        string stat = File.ReadAllText($"/proc/{pid}/stat");
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
    }

    private const int SigHup = 1;
    private const int SigKill = 9;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
