using Berth.Config;

namespace Berth.Tests.Config.Validators;

public sealed class EnvironmentValidatorTests : IDisposable
{
    private readonly ConfigFixture _files = new();

    [Fact]
    public void A_name_with_an_equals_sign_is_refused_on_its_line()
    {
        ConfigError error = _files.OneError("""
            apps:
              web:
                module: app
                env:
                  GOOD: 1
                  "DEBUG=1": x
            """, line: 6, key: "apps.web.env.DEBUG=1");

        Assert.Equal("\"DEBUG=1\" cannot be an environment variable name", error.Message);
    }

    public void Dispose() => _files.Dispose();
}
