using Berth.Config;

namespace Berth.Tests.Config.Validators;

public sealed class StaticDirectoryValidatorTests : IDisposable
{
    private readonly ConfigFixture _files = new();

    [Fact]
    public void A_missing_static_directory_is_refused_on_its_line()
    {
        _files.Dir("static");
        ConfigError error = _files.OneError("""
            apps: { web: { module: app } }
            sites:
              main:
                app: web
                static:
                  /static/: static/
                  /media/: media/
            """, line: 7, key: "sites.main.static[/media/]");

        Assert.Equal($"{Path.Combine(_files.Root, "media")} does not exist", error.Message);
        Assert.Contains("collectstatic", error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_is_not_a_static_directory()
    {
        _files.File("robots.txt");
        ConfigError error = _files.OneError("apps: { web: { module: app } }\nsites:\n  main:\n    app: web\n    static: { /robots.txt: robots.txt }\n", line: 5, key: "sites.main.static[/robots.txt]");

        Assert.EndsWith("is a file, not a directory", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _files.Dispose();
}
