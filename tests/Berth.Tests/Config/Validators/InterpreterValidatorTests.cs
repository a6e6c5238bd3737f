using Berth.Config;

namespace Berth.Tests.Config.Validators;

public sealed class InterpreterValidatorTests : IDisposable
{
    private readonly ConfigFixture _files = new();

    [Fact]
    public void Python_and_venv_together_are_refused_at_venv()
    {
        _files.Venv("venv");
        ConfigError error = _files.OneError("""
            apps:
              web:
                module: app
                python: python3
                venv: venv
            """, line: 5, key: "apps.web.venv");

        Assert.Contains("together with python:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_venv_is_refused()
    {
        ConfigError error = _files.OneError("apps:\n  web:\n    module: app\n    venv: .venv\n", line: 4, key: "apps.web.venv");

        Assert.Equal($"{Path.Combine(_files.Root, ".venv")} does not exist", error.Message);
        Assert.Contains("python3 -m venv", error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_venv_without_bin_python_is_refused()
    {
        _files.Dir("notavenv/lib");
        ConfigError error = _files.OneError("apps:\n  web:\n    module: app\n    venv: notavenv\n", line: 4, key: "apps.web.venv");

        Assert.EndsWith("is not a virtualenv: it has no bin/python", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_python_path_must_exist_but_a_bare_command_is_left_to_path()
    {
        _files.Valid("apps:\n  web:\n    module: app\n    python: python3.99\n");

        ConfigError error = _files.OneError("apps:\n  web:\n    module: app\n    python: /nonexistent/python3\n", line: 4, key: "apps.web.python");

        Assert.Equal("/nonexistent/python3 does not exist", error.Message);
    }

    [Fact]
    public void A_venv_given_as_python_is_recognised()
    {
        _files.Venv("env");
        ConfigError error = _files.OneError("apps:\n  web:\n    module: app\n    python: ./env\n", line: 4, key: "apps.web.python");

        Assert.Equal("it looks like a virtualenv: write it as venv: instead", error.Fix);
    }

    public void Dispose() => _files.Dispose();
}
