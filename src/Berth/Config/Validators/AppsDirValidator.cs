namespace Berth.Config.Validators;

/// <summary>apps_dir must be a directory when berth starts. Its files are not checked here: each is checked when
/// berth reads it, and one with errors is reported and left out rather than keeping the server from starting.</summary>
public sealed class AppsDirValidator : IConfigValidator
{
    public IEnumerable<ConfigError> Validate(BerthConfig config)
    {
        if (config.Server.AppsDir is { } directory && !Directory.Exists(directory))
        {
            string path = ConfigPath.ServerKey(ConfigSchema.AppsDir.Key);
            ConfigLocation at = config.SourceMap.Locate(path, config.SourceMap.Origin);
            yield return File.Exists(directory)
                ? new ConfigError(at.Source, at.Key, $"{directory} is a file, not a directory", "point it at a directory that holds one NAME.yml file per app")
                : new ConfigError(at.Source, at.Key, $"{directory} does not exist",
                    $"create it (it may stay empty until the first app file arrives), or correct the path; {ConfigSourceMap.RelativeBase(at.Source)}");
        }
    }
}
