using System.Text.RegularExpressions;
using Berth.Config;

namespace Berth.Tests.Config;

/// <summary>docs/berth.example.yml is the reference documentation; these tests keep it true and complete.</summary>
public sealed class ExampleConfigTests : IDisposable
{
    private readonly ConfigFixture _files = new();

    private static string ExampleText => File.ReadAllText(FindDocument("berth.example.yml"));

    private static string AppFileText => File.ReadAllText(FindDocument(Path.Combine("apps.d", "blog.yml")));

    [Fact]
    public void The_example_loads_without_errors_once_its_directories_exist()
    {
        _files.Dir("static");
        _files.Dir("media");
        _files.Dir("public");
        _files.Venv("venv");
        _files.Dir("apps.d");

        BerthConfig config = _files.Valid(ExampleText);

        Assert.Equal("-", config.Server.AccessLog);
        Assert.Equal(TimeSpan.FromSeconds(30), config.Server.GracefulTimeout);
        Assert.Equal(["127.0.0.1", "::1"], config.Server.ForwardedAllowIps);
        Assert.Equal(10 * 1024 * 1024, config.Server.MaxBodySize);
        Assert.Equal("/run/berth", config.Server.RuntimeDir);
        Assert.Equal(Path.Combine(_files.Root, "apps.d"), config.Server.AppsDir);

        Assert.Equal(["web", "api"], config.Apps.Select(a => a.Name));
        AppConfig web = config.Apps[0];
        Assert.Equal("mysite.wsgi:application", web.Module);
        Assert.Equal(AppInterface.Auto, web.Interface);
        Assert.Equal((4, 1, 100), (web.Workers, web.Threads, web.QueueSize));
        Assert.True(web.Preload);
        Assert.Equal(Path.Combine(_files.Root, "venv"), web.Venv);
        Assert.Null(web.Python);
        Assert.Equal(_files.Root, web.Chdir);
        Assert.Equal("mysite.settings", web.Environment["DJANGO_SETTINGS_MODULE"]);
        Assert.Equal("0", web.Environment["DEBUG"]);
        Assert.Equal(TimeSpan.FromSeconds(30), web.Timeout);
        Assert.Equal((1000, 50), (web.MaxRequests, web.MaxRequestsJitter));
        Assert.Equal((TimeSpan.FromHours(1), TimeSpan.FromMinutes(5)), (web.MaxLifetime, web.MaxLifetimeJitter));
        Assert.Equal(512, web.MaxMemoryMb);
        AppConfig api = config.Apps[1];
        Assert.Equal((AppInterface.Asgi, "python3", false), (api.Interface, api.Python, api.Preload));

        Assert.Equal(["main", "fallback"], config.Sites.Select(s => s.Name));
        SiteConfig main = config.Sites[0];
        Assert.Equal(["127.0.0.1:8000", "unix:/run/berth/main.sock"], main.Listen.Select(l => l.ToString()));
        Assert.Equal(["example.com", "www.example.com"], main.Hosts);
        Assert.Equal([("/static/", Path.Combine(_files.Root, "static")), ("/media/", Path.Combine(_files.Root, "media"))],
            main.Static.Select(s => (s.UrlPrefix, s.Directory)));
        Assert.Equal([("/", "web"), ("/api", "api")], main.Mounts.Select(m => (m.UrlPrefix, m.App)));
        SiteConfig fallback = config.Sites[1];
        Assert.Empty(fallback.Hosts);
        Assert.Equal("127.0.0.1:8000", Assert.Single(fallback.Listen).ToString());

        DeploySettings deploy = config.Deploy!;
        Assert.Equal(("deploy@shop.example.com", "git@github.com:me/shop.git", "/srv/shop"), (Assert.Single(deploy.Hosts).Label, deploy.Repository, deploy.Path));
        Assert.Equal(["db.sqlite3", "media/"], deploy.Shared);
        Assert.Equal(("/healthz", 5, "accept-new"), (deploy.HealthCheckPath, deploy.KeepReleases, deploy.Ssh.StrictHostKeyChecking));
    }

    [Fact]
    public void The_app_file_example_loads_as_an_app_of_the_example()
    {
        _files.Dir("static");
        _files.Dir("media");
        _files.Dir("public");
        _files.Venv("venv");
        _files.Dir("apps.d");
        _files.Dir("blog");
        BerthConfig example = _files.Valid(ExampleText);

        AppFileResult result = ConfigLoader.ParseAppFile(AppFileText, "apps.d/blog.yml", _files.Dir("apps.d"), example);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        AppFile blog = result.File!;
        Assert.Equal(("blog", "blog.wsgi:application", 2, Path.Combine(_files.Root, "blog")), (blog.App.Name, blog.App.Module, blog.App.Workers, blog.App.Chdir));
        Assert.Equal(("/blog", "main", "blog.example.com"), (blog.Mount, blog.Site, Assert.Single(blog.Hosts)));
    }

    [Fact]
    public void Without_its_directories_the_example_says_which_are_missing()
    {
        ConfigResult result = _files.Parse(ExampleText);

        Assert.Contains(result.Errors, e => e.Key == "sites.main.static[/static/]" && e.Message.Contains("does not exist", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Key == "apps.web.venv");
    }

    [Fact]
    public void The_example_documents_every_key_and_flag()
    {
        foreach (Setting setting in ConfigSchema.All)
        {
            // What only an app file has is documented in the example app file.
            string text = ConfigSchema.PlacementKeys.Contains(setting) ? AppFileText : ExampleText;
            // Each key appears as a key (maybe commented out, like python: next to venv:, or tls: with its keys indented after the #).
            Assert.Matches(new Regex($@"(?m)^\s*(#\s+)?{setting.Key}:"), text);
            if (setting.Flag is { } flag)
            {
                Assert.Contains(flag, text, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Every_key_in_the_example_is_one_berth_knows()
    {
        // The reader would report an unknown key, so loading without errors already shows this for the active
        // lines; the commented-out alternatives are checked here.
        foreach (Match match in Regex.Matches(ExampleText + AppFileText, @"(?m)^\s+# ([a-z_]+): \S+$"))
        {
            Assert.Contains(ConfigSchema.All, s => s.Key == match.Groups[1].Value);
        }
    }

    private static string FindDocument(string name)
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "docs", name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"docs/{name} not found above " + AppContext.BaseDirectory);
    }

    public void Dispose() => _files.Dispose();
}
