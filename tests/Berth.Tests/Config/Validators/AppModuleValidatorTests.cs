using Berth.Config;

namespace Berth.Tests.Config.Validators;

public sealed class AppModuleValidatorTests : IDisposable
{
    private readonly ConfigFixture _files = new();

    [Theory]
    [InlineData("app")]                          // the callable defaults to `application`, as in gunicorn
    [InlineData("app:application")]
    [InlineData("myproject.wsgi:application")]
    [InlineData("app:server.wsgi_app")]
    [InlineData("app:create_app()")]
    [InlineData("_private.mod_2:App")]
    public void Accepts_import_paths(string module)
    {
        _files.Valid($"apps:\n  web:\n    module: \"{module}\"\n");
    }

    [Fact]
    public void A_missing_module_is_reported_at_the_app()
    {
        ConfigError error = _files.OneError("""
            apps:
              web:
                workers: 2
            """, line: 2, key: "apps.web.module");

        Assert.Equal("is required: it names the Python callable to serve", error.Message);
        Assert.StartsWith("set module: to an import path such as myproject.wsgi:application", error.Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("app.py", "write the module name, not the file: `app`")]
    [InlineData("app.py:app", "write the module name, not the file: `app:app`")]
    [InlineData("src/app.py:app", "write the module name, not the file: `app:app`, with chdir: src so Python can import it")]
    [InlineData("app:create_app(debug=True)", "a factory is called without arguments, as `create_app()`; read settings from env: inside it")]
    [InlineData("my-project.wsgi:application", "set module: to an import path such as myproject.wsgi:application (the dotted module, a colon, the callable)")]
    [InlineData("app:", "set module: to an import path such as myproject.wsgi:application (the dotted module, a colon, the callable)")]
    [InlineData("app::application", "set module: to an import path such as myproject.wsgi:application (the dotted module, a colon, the callable)")]
    public void A_malformed_module_names_its_line_and_the_likely_fix(string module, string fix)
    {
        ConfigError error = _files.OneError($"""
            apps:
              web:
                workers: 2
                module: "{module}"
            """, line: 4, key: "apps.web.module");

        Assert.Equal($"\"{module}\" is not an import path of the form MODULE:CALLABLE", error.Message);
        Assert.Equal(fix, error.Fix);
    }

    public void Dispose() => _files.Dispose();
}
