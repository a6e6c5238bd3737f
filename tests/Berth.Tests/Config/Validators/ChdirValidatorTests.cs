using Berth.Config;

namespace Berth.Tests.Config.Validators;

public sealed class ChdirValidatorTests : IDisposable
{
    private readonly ConfigFixture _files = new();

    [Fact]
    public void A_missing_chdir_is_refused_on_its_line()
    {
        ConfigError error = _files.OneError("apps:\n  web:\n    module: app\n    chdir: src\n", line: 4, key: "apps.web.chdir");

        Assert.Equal($"{Path.Combine(_files.Root, "src")} does not exist", error.Message);
    }

    [Fact]
    public void A_file_is_not_a_chdir()
    {
        _files.File("app.py");
        ConfigError error = _files.OneError("apps:\n  web:\n    module: app\n    chdir: app.py\n", line: 4, key: "apps.web.chdir");

        Assert.EndsWith("is a file, not a directory", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _files.Dispose();
}
