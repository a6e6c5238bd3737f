namespace Berth.Config.Validators;

/// <summary>The directory a worker imports the app from must exist before berth starts one there.</summary>
public sealed class ChdirValidator : IConfigValidator
{
    public IEnumerable<ConfigError> Validate(BerthConfig config)
    {
        foreach (AppConfig app in config.Apps)
        {
            if (app.Chdir is { } chdir && !Directory.Exists(chdir))
            {
                string path = ConfigPath.App(app.Name, ConfigSchema.Chdir.Key);
                yield return config.SourceMap.Error(path, app.Source,
                    File.Exists(chdir) ? $"{chdir} is a file, not a directory" : $"{chdir} does not exist",
                    $"point it at the directory your package is imported from ({ConfigSourceMap.RelativeBase(config.SourceMap.Locate(path, app.Source).Source)})");
            }
        }
    }
}
