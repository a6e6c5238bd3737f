using Berth.Config;
using Berth.Config.Validators;

namespace Berth.Tests.Config.Validators;

public sealed class NameValidatorTests : IDisposable
{
    private readonly ConfigFixture _files = new();

    [Fact]
    public void An_app_name_with_capitals_or_spaces_is_refused_with_a_suggestion()
    {
        ConfigError error = _files.OneError("""
            apps:
              My App:
                module: app
            """, line: 2, key: "apps.My App");

        Assert.Equal("is not a valid app name", error.Message);
        Assert.StartsWith("rename it to something like `my-app`", error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_site_name_may_have_dots_but_not_slashes()
    {
        _files.Valid("apps: { web: { module: app } }\nsites:\n  example.com: { app: web }\n");

        ConfigError error = _files.OneError("apps: { web: { module: app } }\nsites:\n  example.com/x: { app: web }\n", line: 3, key: "sites.example.com/x");

        Assert.Equal("is not a valid site name", error.Message);
    }

    [Fact]
    public void Two_apps_of_one_name_built_in_code_are_refused()
    {
        var app = new AppConfig { Name = "web", Module = "app", Source = new SourceSpan("a.yml", 2) };
        var config = new BerthConfig(new ServerSettings(), [], [app, app with { Source = new SourceSpan("b.yml", 5) }], null);

        ConfigError error = Assert.Single(new NameValidator().Validate(config));

        Assert.Equal((new SourceSpan("b.yml", 5), "apps.web", "is defined twice"), (error.Source, error.Key, error.Message));
    }

    public void Dispose() => _files.Dispose();
}
