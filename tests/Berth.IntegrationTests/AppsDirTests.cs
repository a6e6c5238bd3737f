using System.Net;

namespace Berth.IntegrationTests;

/// <summary>
/// apps_dir, uWSGI's emperor: files come, change and go while berth serves, and only their own app notices.
/// berth.yml serves one Flask app at /web; the files add apps from tests/apps.
/// </summary>
public sealed class AppsDirTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly string _dir = Directory.CreateTempSubdirectory("berth-appsdir").FullName;

    public AppsDirTests()
    {
        Directory.CreateDirectory(AppsD);
        WriteBerthYml();
    }

    private string BerthYml => Path.Combine(_dir, "berth.yml");

    /// <param name="blog">Whether berth.yml defines an app `blog` too, mounted at /blog.</param>
    private void WriteBerthYml(bool blog = false) => File.WriteAllText(BerthYml, $"""
        server:
          apps_dir: apps.d
        apps:
          web:
            module: flask_app:application
            python: {BerthProcess.SystemPython}
            chdir: {BerthProcess.AppsDir}
            workers: 2
        {(blog ? $"  blog: {{ module: 'flask_app:application', python: {BerthProcess.SystemPython}, chdir: {BerthProcess.AppsDir}, workers: 1 }}" : "")}
        sites:
          main:
            mounts:
              /web: web
        {(blog ? "      /blog: blog" : "")}
        """);

    private string AppsD => Path.Combine(_dir, "apps.d");

    private Task<BerthProcess> StartAsync() => BerthProcess.StartAsync(["serve", "--config", BerthYml]);

    /// <summary>Writes an app file whole, as the docs advise (write elsewhere, then rename into place).</summary>
    private void Put(string name, string yaml)
    {
        string temporary = Path.Combine(_dir, name + ".tmp");
        File.WriteAllText(temporary, yaml);
        File.Move(temporary, Path.Combine(AppsD, name), overwrite: true);
    }

    private static string AppFile(string module, string placement, int workers = 2) => $"""
        module: {module}
        python: {BerthProcess.SystemPython}
        chdir: {BerthProcess.AppsDir}
        workers: {workers}
        {placement}
        """;

    [Fact]
    public async Task A_new_file_starts_its_app_a_change_reloads_it_and_removal_stops_it_leaving_berth_yml_apps_alone()
    {
        await using BerthProcess berth = await StartAsync();
        using HttpClient client = berth.CreateClient();
        HashSet<string> web = await BerthProcess.PidsAsync(client, "/web/pid", 2);

        Put("blog.yml", AppFile("pyramid_app:application", "mount: /blog"));
        await berth.WaitUntilAsync(async () => await BerthProcess.AnswerAsync(client, "/blog/hello") == "Hello, World!", "/blog to answer");
        HashSet<string> before = await BerthProcess.PidsAsync(client, "/blog/pid", 2);
        await berth.WaitForOutputAsync("apps.d/blog.yml: app blog is ready and served at /blog on every site", Patience);

        Put("blog.yml", AppFile("flask_app:application", "mount: /blog", workers: 3));
        await berth.WaitForOutputAsync("apps.d/blog.yml: app blog reloaded", Patience);
        HashSet<string> after = await BerthProcess.PidsAsync(client, "/blog/pid", 3);
        Assert.Empty(after.Intersect(before));
        Assert.Equal("Hello, World!", await client.GetStringAsync("/blog/hello"));

        File.Delete(Path.Combine(AppsD, "blog.yml"));
        await berth.WaitUntilAsync(async () => (await client.GetAsync("/blog/pid")).StatusCode == HttpStatusCode.NotFound, "/blog to answer 404");
        using (HttpResponseMessage gone = await client.GetAsync("/blog/pid"))
        {
            Assert.Contains("Nothing is served at /blog/pid", await gone.Content.ReadAsStringAsync(), StringComparison.Ordinal); // the edge's 404, not an app's
        }

        await berth.WaitUntilAsync(() => Task.FromResult(after.All(pid => !Directory.Exists($"/proc/{pid}"))), "the workers of blog to exit");
        await berth.WaitForOutputAsync("apps.d/blog.yml removed: app blog stopped", Patience);

        Assert.Equal(web, await BerthProcess.PidsAsync(client, "/web/pid", 2));
    }

    [Fact]
    public async Task Bad_files_are_reported_and_ignored_a_broken_change_keeps_the_app_as_it_was_and_a_clash_waits_its_turn()
    {
        await using BerthProcess berth = await StartAsync();
        using HttpClient client = berth.CreateClient();
        HashSet<string> web = await BerthProcess.PidsAsync(client, "/web/pid", 2);

        Put("typo.yml", "module: plain_wsgi:application\nmount: [/typo\nworkers: 1\n");
        await berth.WaitForOutputAsync("apps.d/typo.yml has errors and is ignored until it changes", Patience);
        await berth.WaitForOutputAsync("apps.d/typo.yml:2: not valid YAML", Patience);

        Put("broken.yml", AppFile("broken_app:application", "mount: /broken"));
        await berth.WaitForOutputAsync("apps.d/broken.yml: app broken cannot start", Patience);
        Assert.Contains("No module named 'no_such_module_berth'", berth.Output, StringComparison.Ordinal);
        Assert.Contains("Traceback", berth.Output, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/broken/hello")).StatusCode);

        Put("blog.yml", AppFile("pyramid_app:application", "mount: /blog"));
        await berth.WaitUntilAsync(async () => await BerthProcess.AnswerAsync(client, "/blog/hello") == "Hello, World!", "/blog to answer");
        HashSet<string> blog = await BerthProcess.PidsAsync(client, "/blog/pid", 2);

        Put("blog.yml", AppFile("pyramid_app:application", "mount: /blog\nwokers: 3"));
        await berth.WaitForOutputAsync("apps.d/blog.yml has errors; app blog keeps running with its previous settings", Patience);
        await berth.WaitForOutputAsync("apps.d/blog.yml:6: wokers: unknown setting. Fix: did you mean `workers`?", Patience);

        Put("blog.yml", AppFile("broken_app:application", "mount: /blog"));
        await berth.WaitForOutputAsync("apps.d/blog.yml: app blog was not reloaded and keeps running with its previous settings", Patience);

        Assert.Equal(blog, await BerthProcess.PidsAsync(client, "/blog/pid", 2));
        Assert.Equal(web, await BerthProcess.PidsAsync(client, "/web/pid", 2));

        Put("journal.yml", AppFile("plain_wsgi:application", "mount: /blog", workers: 1));
        await berth.WaitForOutputAsync("apps.d/journal.yml:5: mount: \"/blog\" is mounted twice in site `main`", Patience);
        File.Delete(Path.Combine(AppsD, "blog.yml"));
        await berth.WaitForOutputAsync("apps.d/journal.yml: app journal is ready and served at /blog on every site", Patience);
        Assert.DoesNotContain(await client.GetStringAsync("/blog/pid"), blog);

        Assert.Equal(web, await BerthProcess.PidsAsync(client, "/web/pid", 2));
        Assert.DoesNotContain("FATAL", berth.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Files_there_at_start_are_served_from_the_first_request_and_hosts_make_a_virtual_host()
    {
        Put("shop.yml", AppFile("pyramid_app:application", "hosts: [shop.test]", workers: 1));

        await using BerthProcess berth = await StartAsync();
        using HttpClient client = berth.CreateClient();

        using var shop = new HttpRequestMessage(HttpMethod.Get, "/hello") { Headers = { Host = "shop.test" } };
        Assert.Equal("Hello, World!", await (await client.SendAsync(shop)).Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/hello")).StatusCode); // other names get berth.yml's site
        Assert.Equal("Hello, World!", await client.GetStringAsync("/web/hello"));
    }

    [Fact]
    public async Task Berth_yml_wins_an_app_name_both_define_and_the_refused_file_is_named_with_the_clash_in_the_log_check_and_status()
    {
        Put("web.yml", AppFile("plain_wsgi:application", "mount: /other", workers: 1));

        await using BerthProcess berth = await StartAsync();
        using HttpClient client = berth.CreateClient();
        string clash = $"apps.d/web.yml: names the app `web`, but {BerthYml}:4 already defines an app of that name. Fix: rename this file";
        await berth.WaitForOutputAsync("apps.d/web.yml has errors and is ignored until it changes", Patience);
        Assert.Contains(clash, berth.Output, StringComparison.Ordinal);
        Assert.Equal("Hello, World!", await client.GetStringAsync("/web/hello"));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/other/hello")).StatusCode);

        (int checkExit, string check) = await BerthProcess.RunAsync("check", "--config", BerthYml);
        Assert.Equal(2, checkExit);
        Assert.Contains(clash, check, StringComparison.Ordinal);

        (int statusExit, string status) = await BerthProcess.RunAsync("status", "--control", berth.ControlPath!);
        Assert.True(statusExit == 0, status);
        Assert.Contains("apps.d/web.yml: ignored until it changes", status, StringComparison.Ordinal);
        Assert.Contains("already defines an app of that name", status, StringComparison.Ordinal);

        // A reload that makes berth.yml define the name of a running app of apps_dir: berth.yml's app takes its place.
        Put("blog.yml", AppFile("pyramid_app:application", "mount: /blog"));
        await berth.WaitForOutputAsync("apps.d/blog.yml: app blog is ready", Patience);
        HashSet<string> fromFile = await BerthProcess.PidsAsync(client, "/blog/pid", 2);
        WriteBerthYml(blog: true);
        (int reloadExit, string reload) = await BerthProcess.RunAsync("reload", "--control", berth.ControlPath!);
        Assert.True(reloadExit == 0, reload + berth.Output);

        await berth.WaitForOutputAsync("apps.d/blog.yml: berth.yml now defines an app named blog too", Patience);
        await berth.WaitUntilAsync(() => Task.FromResult(fromFile.All(pid => !Directory.Exists($"/proc/{pid}"))), "the workers of the file's blog to exit");
        string fromBerthYml = await client.GetStringAsync("/blog/pid");
        Assert.DoesNotContain(fromBerthYml, fromFile);
        await berth.WaitForOutputAsync($"apps.d/blog.yml: names the app `blog`, but {BerthYml}:9 already defines an app of that name", Patience);
        (_, string statusAfter) = await BerthProcess.RunAsync("status", "--control", berth.ControlPath!);
        Assert.Contains("apps.d/blog.yml: ignored until it changes", statusAfter, StringComparison.Ordinal);
        Assert.Equal("Hello, World!", await client.GetStringAsync("/blog/hello"));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
