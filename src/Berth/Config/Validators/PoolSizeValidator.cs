namespace Berth.Config.Validators;

/// <summary>
/// How many requests an app takes at once (workers × threads) and how many may wait (queue). The upper bound of
/// 1024 is not a limit of berth's: past it, <c>workers: 40000</c> is far likelier a typo than a machine with the
/// memory for 40,000 Python processes.
/// </summary>
public sealed class PoolSizeValidator : IConfigValidator
{
    private const int Most = 1024;

    public IEnumerable<ConfigError> Validate(BerthConfig config)
    {
        foreach (AppConfig app in config.Apps)
        {
            if (app.Workers is < 1 or > Most)
            {
                yield return config.SourceMap.Invalid(app, ConfigSchema.Workers, app.Workers);
            }

            if (app.Threads is < 1 or > Most)
            {
                yield return config.SourceMap.Invalid(app, ConfigSchema.Threads, app.Threads);
            }

            // 10,000: an event loop juggles that many idle sockets easily; past it a typo is likelier.
            if (app.Connections is < 1 or > 10_000)
            {
                yield return config.SourceMap.Invalid(app, ConfigSchema.Connections, app.Connections);
            }

            if (app.QueueSize < 0)
            {
                yield return config.SourceMap.Invalid(app, ConfigSchema.Queue, app.QueueSize);
            }
        }
    }
}
