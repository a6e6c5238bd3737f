using System.Text.RegularExpressions;

namespace Berth.Config.Validators;

/// <summary>
/// <c>module:</c> is what the worker imports, in gunicorn's form: a dotted module path, then optionally a colon
/// and the callable — <c>myproject.wsgi:application</c>. As in gunicorn and uWSGI the callable defaults to
/// <c>application</c>; it may be a dotted attribute (<c>app:server.wsgi</c>) or a factory called without
/// arguments (<c>app:create_app()</c>), which is what berth_worker's <c>load_app</c> accepts. The common slips —
/// a file name, a path, a .py suffix — get a fix that names the module they meant.
/// </summary>
public sealed partial class AppModuleValidator : IConfigValidator
{
    public IEnumerable<ConfigError> Validate(BerthConfig config)
    {
        foreach (AppConfig app in config.Apps)
        {
            string path = ConfigPath.App(app.Name, ConfigSchema.Module.Key);
            ConfigLocation at = config.SourceMap.Locate(path, app.Source);
            string module = app.Module.Trim();
            if (module.Length == 0)
            {
                yield return new ConfigError(at.Source, at.Key, "is required: it names the Python callable to serve",
                    ConfigSchema.Module.FixFor(at.Source));
            }
            else if (!Spec().IsMatch(module) || IsFileName(module))
            {
                yield return new ConfigError(at.Source, at.Key, $"\"{module}\" is not an import path of the form MODULE:CALLABLE", FixFor(module, at.Source));
            }
        }
    }

    // "app.py" is a valid import path — submodule `py` of package `app` — but in practice always a file name
    // (uWSGI's wsgi-file habit), and the import would fail with "'app' is not a package".
    private static bool IsFileName(string module) => module.Split(':')[0].EndsWith(".py", StringComparison.Ordinal);

    private static string FixFor(string module, SourceSpan source)
    {
        (string name, string callable) = module.IndexOf(':', StringComparison.Ordinal) is var colon and >= 0
            ? (module[..colon], module[(colon + 1)..])
            : (module, "");
        if (name.Contains('/', StringComparison.Ordinal) || name.EndsWith(".py", StringComparison.Ordinal))
        {
            // "src/app.py:app" → "app:app" with chdir: src — the worker imports modules, it does not run files.
            string directory = Path.GetDirectoryName(name) ?? "";
            string dotted = Path.GetFileNameWithoutExtension(name);
            string suggestion = callable.Length > 0 ? $"{dotted}:{callable}" : dotted;
            return directory.Length > 0
                ? $"write the module name, not the file: `{suggestion}`, with chdir: {directory} so Python can import it"
                : $"write the module name, not the file: `{suggestion}`";
        }

        if (Regex.IsMatch(callable, @"\(.+\)", RegexOptions.None, TimeSpan.FromSeconds(1)))
        {
            return "a factory is called without arguments, as `create_app()`; read settings from env: inside it";
        }

        return ConfigSchema.Module.FixFor(source);
    }

    // module(.sub)* [ : attribute(.attribute)* [()] ] — identifiers as Python's, letters including non-ASCII.
    [GeneratedRegex(@"^[\p{L}_][\p{L}\p{Nd}_]*(\.[\p{L}_][\p{L}\p{Nd}_]*)*(:[\p{L}_][\p{L}\p{Nd}_]*(\.[\p{L}_][\p{L}\p{Nd}_]*)*(\(\))?)?$")]
    private static partial Regex Spec();
}
