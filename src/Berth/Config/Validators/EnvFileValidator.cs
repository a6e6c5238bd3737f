namespace Berth.Config.Validators;

/// <summary>An app's <c>env_file:</c> must exist and hold NAME=value lines when berth starts: a missing .env would
/// otherwise surface as a Django ImproperlyConfigured in every worker's traceback.</summary>
public sealed class EnvFileValidator : IConfigValidator
{
    public IEnumerable<ConfigError> Validate(BerthConfig config)
    {
        foreach (AppConfig app in config.Apps)
        {
            if (app.EnvFile is { } file && AppEnvironmentFile.Read(file, out _) is { } problem)
            {
                string path = ConfigPath.App(app.Name, ConfigSchema.EnvFile.Key);
                yield return config.SourceMap.Error(path, app.Source, problem,
                    $"write NAME=value lines into it (# comments, optional quotes), or correct the path ({ConfigSourceMap.RelativeBase(config.SourceMap.Locate(path, app.Source).Source)})");
            }
        }
    }
}
