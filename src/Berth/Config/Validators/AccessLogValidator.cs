namespace Berth.Config.Validators;

/// <summary>The access log's directory must exist: berth creates the file, as nginx does, but not the
/// directories above it, so a typo fails <c>berth check</c> rather than the start.</summary>
public sealed class AccessLogValidator : IConfigValidator
{
    public IEnumerable<ConfigError> Validate(BerthConfig config)
    {
        if (config.Server.AccessLog is not { } log || log == "-")
        {
            yield break;
        }

        string path = ConfigPath.ServerKey(ConfigSchema.AccessLog.Key);
        if (Directory.Exists(log))
        {
            yield return config.SourceMap.Error(path, config.SourceMap.Origin, $"{log} is a directory", $"name a file in it, such as {Path.Combine(log, "access.log")}");
        }
        else if (Path.GetDirectoryName(log) is { Length: > 0 } directory && !Directory.Exists(directory))
        {
            yield return config.SourceMap.Error(path, config.SourceMap.Origin, $"the directory {directory} does not exist",
                $"create it (and let the user berth runs as write to it), or log to standard output with -");
        }
    }
}
