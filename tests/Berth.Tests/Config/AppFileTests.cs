using Berth.Config;

namespace Berth.Tests.Config;

/// <summary>The files of apps_dir: one app each, read with berth.yml's reader and validators, errors at the file's lines.</summary>
public sealed class AppFileTests : IDisposable
{
    private const string File = "apps.d/blog.yml";

    private readonly ConfigFixture _files = new();

    public AppFileTests()
    {
        _files.Dir("apps.d");
        _files.Dir("assets");
    }

    private BerthConfig TwoSites() => _files.Valid("""
        server:
          apps_dir: apps.d
        apps:
          web:
            module: web:application
        sites:
          main:
            listen: "127.0.0.1:8000"
            hosts: [example.com]
            mounts:
              /: web
              /api: web
          admin:
            listen: "127.0.0.1:8001"
            app: web
            static:
              /assets/: assets
        """);

    private AppFileResult Parse(string yaml, BerthConfig running) => ConfigLoader.ParseAppFile(yaml, File, _files.Dir("apps.d"), running);

    private AppFile Valid(string yaml, BerthConfig running)
    {
        AppFileResult result = Parse(yaml, running);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.File!;
    }

    private ConfigError OneError(string yaml, BerthConfig running, int line, string key)
    {
        AppFileResult result = Parse(yaml, running);
        Assert.Null(result.File);
        ConfigError error = Assert.Single(result.Errors);
        Assert.Equal((File, line, key), (error.Source.File, error.Source.Line, error.Key));
        Assert.NotEmpty(error.Fix);
        return error;
    }

    [Fact]
    public void The_app_is_named_after_the_file_and_mount_puts_it_on_every_site_of_berth_yml()
    {
        _files.Dir("blog");
        AppFile blog = Valid("""
            module: blog.wsgi:application
            workers: 3
            chdir: ../blog
            env:
              DEBUG: 0
            mount: /blog
            """, TwoSites());

        Assert.Equal(("blog", "blog.wsgi:application", 3, "0"), (blog.App.Name, blog.App.Module, blog.App.Workers, blog.App.Environment["DEBUG"]));
        Assert.Equal(Path.Combine(_files.Root, "blog"), blog.App.Chdir); // relative to the file, not to berth.yml
        BerthConfig joined = blog.AddTo(TwoSites());
        Assert.Equal(["web", "blog"], joined.Apps.Select(a => a.Name));
        Assert.All(joined.Sites, s => Assert.Contains(new AppMount("/blog", "blog", new SourceSpan(File, 6)), s.Mounts));
        Assert.Equal("at /blog on every site", blog.Where);
    }

    [Fact]
    public void Chdir_defaults_to_the_directory_of_the_file()
    {
        AppFile blog = Valid("module: blog:application\nmount: /blog\n", TwoSites());

        Assert.Equal(Path.Combine(_files.Root, "apps.d"), blog.App.Chdir);
    }

    [Fact]
    public void Site_narrows_the_mount_to_one_site_of_berth_yml()
    {
        AppFile blog = Valid("module: blog:application\nmount: /blog\nsite: admin\n", TwoSites());

        BerthConfig joined = blog.AddTo(TwoSites());
        Assert.DoesNotContain(joined.Sites.Single(s => s.Name == "main").Mounts, m => m.App == "blog");
        Assert.Contains(joined.Sites.Single(s => s.Name == "admin").Mounts, m => m.App == "blog");
    }

    [Fact]
    public void Hosts_make_a_site_of_the_apps_own_on_every_listener_of_berth_yml()
    {
        AppFile blog = Valid("module: blog:application\nhosts: [Blog.Example.com.]\n", TwoSites());

        SiteConfig site = blog.AddTo(TwoSites()).Sites[^1];
        Assert.Equal(("blog", true), (site.Name, site.FromAppFile));
        Assert.Equal(["blog.example.com"], site.Hosts);
        Assert.Equal(["127.0.0.1:8000", "127.0.0.1:8001"], site.Listen.Select(l => l.ToString()));
        Assert.Equal(("/", "blog"), (Assert.Single(site.Mounts).UrlPrefix, site.Mounts[0].App));
    }

    [Fact]
    public void A_mount_goes_on_berth_yml_sites_only_not_on_the_site_of_another_app_file()
    {
        BerthConfig running = Valid("module: blog:application\nhosts: [blog.example.com]\n", TwoSites()).AddTo(TwoSites());
        AppFileResult shop = ConfigLoader.ParseAppFile("module: shop:application\nmount: /shop\n", "apps.d/shop.yml", _files.Dir("apps.d"), running);

        Assert.True(shop.IsValid, string.Join("\n", shop.Errors));
        Assert.DoesNotContain(shop.File!.AddTo(running).Sites.Single(s => s.Name == "blog").Mounts, m => m.App == "shop");
    }

    [Fact]
    public void A_bad_value_is_reported_at_its_line_in_the_file_by_its_own_key()
    {
        ConfigError error = OneError("module: blog:application\nworkers: two\nmount: /blog\n", TwoSites(), line: 2, key: "workers");

        Assert.Equal(
            "apps.d/blog.yml:2: workers: must be a whole number from 1 to 1024, got \"two\". Fix: set workers: to a count such as 4 (gunicorn's rule of thumb is 2 × cores + 1).",
            error.ToString());
    }

    [Fact]
    public void A_validator_error_names_the_file_line_too()
    {
        OneError("module: blog:application\nmount: /blog\nthreads: 0\n", TwoSites(), line: 3, key: "threads");
    }

    [Fact]
    public void An_unknown_key_gets_a_suggestion()
    {
        ConfigError error = OneError("module: blog:application\nwokers: 3\nmount: /blog\n", TwoSites(), line: 2, key: "wokers");

        Assert.Equal("did you mean `workers`?", error.Fix);
    }

    [Fact]
    public void A_missing_module_is_reported_at_the_file()
    {
        ConfigError error = OneError("workers: 2\nmount: /blog\n", TwoSites(), line: 0, key: "module");

        Assert.StartsWith("apps.d/blog.yml: module: is required", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_yaml_names_its_line()
    {
        ConfigError error = OneError("module: blog:application\nmount: [/blog\nworkers: 2\n", TwoSites(), line: 2, key: "");

        Assert.StartsWith("apps.d/blog.yml:2: not valid YAML", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_file_or_a_list_is_not_an_app()
    {
        Assert.Contains("is empty", OneError("", TwoSites(), line: 0, key: "").Message, StringComparison.Ordinal);
        Assert.Contains("a list", OneError("- module: blog:application\n", TwoSites(), line: 1, key: "").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_app_name_berth_yml_uses_is_an_error_of_the_file_naming_where_berth_yml_defines_it()
    {
        AppFileResult result = ConfigLoader.ParseAppFile("module: other:application\nmount: /other\n", "apps.d/web.yml", _files.Dir("apps.d"), TwoSites());

        ConfigError error = Assert.Single(result.Errors);
        Assert.Equal(new SourceSpan("apps.d/web.yml", 0), error.Source);
        Assert.Contains("berth.yml:4 already defines an app of that name", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("rename this file", error.Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mount: /api/\n", 2, "mount", "\"/api/\" is mounted twice in site `main`")]
    [InlineData("hosts:\n  - blog.example.com\n  - example.com\n", 4, "hosts[1]", "example.com is also a host of site `main`")]
    [InlineData("hosts: [blog.example.com]\nsite: admin\n", 3, "site", "says which site mount: is on, but there is no mount:")]
    [InlineData("site: admn\nmount: /blog\n", 2, "site", "names site `admn`, which berth.yml does not define")]
    [InlineData("", 0, "mount", "is missing, and so is hosts:, so the app would be served nowhere")]
    public void Where_the_app_is_served_must_fit_berth_yml_and_errors_name_the_line(string placement, int line, string key, string message)
    {
        ConfigError error = OneError("module: blog:application\n" + placement, TwoSites(), line, key);

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_misspelt_site_gets_the_nearest_name_and_an_app_served_nowhere_gets_the_lines_to_add()
    {
        Assert.Equal("did you mean `admin`?", OneError("module: blog:application\nmount: /blog\nsite: admn\n", TwoSites(), line: 3, key: "site").Fix);
        Assert.Contains("`mount: /blog`", OneError("module: blog:application\n", TwoSites(), line: 0, key: "mount").Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void What_was_already_wrong_with_berth_yml_is_not_blamed_on_the_file()
    {
        BerthConfig running = TwoSites();
        Directory.Delete(Path.Combine(_files.Root, "assets")); // gone since berth started

        Valid("module: blog:application\nmount: /blog\n", running);
    }

    [Fact]
    public void With_apps_dir_berth_yml_needs_no_apps_and_gets_a_default_site_for_the_files_to_mount_on()
    {
        BerthConfig running = _files.Valid("server:\n  apps_dir: apps.d\n");

        SiteConfig site = Assert.Single(running.Sites);
        Assert.Equal(("default", "127.0.0.1:8000"), (site.Name, Assert.Single(site.Listen).ToString()));
        Assert.Empty(site.Mounts);
        AppFile blog = Valid("module: blog:application\nmount: /\n", running);
        Assert.Equal("blog", Assert.Single(blog.AddTo(running).Sites[0].Mounts).App);
    }

    [Fact]
    public void Apps_dir_must_exist()
    {
        ConfigError error = _files.OneError("server:\n  apps_dir: vassals\napps:\n  web:\n    module: web:application\n", line: 2, key: "server.apps_dir");

        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void In_berth_yml_mount_under_an_app_points_at_a_sites_mounts_not_at_app_files()
    {
        ConfigError error = _files.OneError("apps:\n  web:\n    module: web:application\n    mount: /web\n", line: 4, key: "apps.web.mount");

        Assert.Contains("`mounts`", error.Fix, StringComparison.Ordinal);
    }

    public void Dispose() => _files.Dispose();
}
