namespace Berth.Config.Validators;

/// <summary>
/// Which Python runs the workers: <c>python:</c> (an interpreter) or <c>venv:</c> (a virtualenv, whose
/// bin/python is used), not both — two answers to one question, and the file should not make the reader guess
/// which wins. Paths must exist now, so a typo fails <c>berth check</c> rather than the first worker's start.
/// A bare command name (<c>python3</c>) is looked up on PATH by the worker's start, as a shell would.
/// </summary>
public sealed class InterpreterValidator : IConfigValidator
{
    public IEnumerable<ConfigError> Validate(BerthConfig config)
    {
        foreach (AppConfig app in config.Apps)
        {
            string pythonPath = ConfigPath.App(app.Name, ConfigSchema.Python.Key);
            string venvPath = ConfigPath.App(app.Name, ConfigSchema.Venv.Key);
            if (app.Python is not null && app.Venv is not null)
            {
                yield return config.SourceMap.Error(venvPath, app.Source, "is set together with python:, and only one of them can choose the interpreter",
                    "keep venv: (berth runs its bin/python) and remove python:, or the other way round");
            }

            if (app.Venv is { } venv)
            {
                if (!Directory.Exists(venv))
                {
                    yield return config.SourceMap.Error(venvPath, app.Source, $"{venv} does not exist",
                        $"create it with `python3 -m venv {venv}` and install the app's requirements into it, or correct the path");
                }
                else if (!File.Exists(Path.Combine(venv, "bin", "python")))
                {
                    yield return config.SourceMap.Error(venvPath, app.Source, $"{venv} is not a virtualenv: it has no bin/python",
                        $"point venv: at the directory that holds bin/python (made by `python3 -m venv`), or recreate it there");
                }
            }

            if (app.Python is { } python && python.Contains('/', StringComparison.Ordinal))
            {
                if (Directory.Exists(python))
                {
                    yield return config.SourceMap.Error(pythonPath, app.Source, $"{python} is a directory, not an interpreter",
                        File.Exists(Path.Combine(python, "bin", "python")) ? "it looks like a virtualenv: write it as venv: instead" : "point it at the interpreter itself, such as /usr/bin/python3");
                }
                else if (!File.Exists(python))
                {
                    yield return config.SourceMap.Error(pythonPath, app.Source, $"{python} does not exist",
                        "point it at an interpreter that exists, such as /usr/bin/python3, or leave it out to use python3 on PATH");
                }
            }
        }
    }
}
