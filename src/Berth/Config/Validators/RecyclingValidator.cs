namespace Berth.Config.Validators;

/// <summary>
/// When a worker is replaced by a fresh one, the usual cure for a slow leak: after max_requests: requests, after
/// max_lifetime:, or once its memory stays above max_memory:. A jitter staggers its limit so the workers do not all
/// restart at once; without that limit it does nothing, which is far likelier a limit forgotten than meant.
/// </summary>
public sealed class RecyclingValidator : IConfigValidator
{
    // A bare interpreter is already 13 MB (CPython 3.11, ru_maxrss of `python3 -c pass`); a worker with an app
    // imported is more. Below 16M every worker would be recycled as soon as it was ready.
    private const long LeastMemoryMb = 16;

    public IEnumerable<ConfigError> Validate(BerthConfig config)
    {
        foreach (AppConfig app in config.Apps)
        {
            if (app.MaxRequests < 0)
            {
                yield return config.SourceMap.Invalid(app, ConfigSchema.MaxRequests, app.MaxRequests);
            }

            if (app.MaxRequestsJitter < 0)
            {
                yield return config.SourceMap.Invalid(app, ConfigSchema.MaxRequestsJitter, app.MaxRequestsJitter);
            }
            else if (app.MaxRequestsJitter > 0 && app.MaxRequests == 0)
            {
                yield return JitterWithoutLimit(config, app, ConfigSchema.MaxRequestsJitter, ConfigSchema.MaxRequests);
            }

            if (app.MaxLifetimeJitter > TimeSpan.Zero && app.MaxLifetime is null)
            {
                yield return JitterWithoutLimit(config, app, ConfigSchema.MaxLifetimeJitter, ConfigSchema.MaxLifetime);
            }

            if (app.MaxMemoryMb is > 0 and < LeastMemoryMb)
            {
                yield return config.SourceMap.Invalid(app, ConfigSchema.MaxMemory, ByteSize.Format(app.MaxMemoryMb << 20));
            }
        }
    }

    private static ConfigError JitterWithoutLimit(BerthConfig config, AppConfig app, Setting jitter, Setting limit)
    {
        ConfigLocation at = config.SourceMap.Locate(ConfigPath.App(app.Name, jitter.Key), app.Source);
        return new ConfigError(at.Source, at.Key, $"is set without {limit.Key}:, the limit it staggers, so it does nothing",
            $"set {limit.NameFor(at.Source)} as well, or remove {jitter.NameFor(at.Source)}");
    }
}
