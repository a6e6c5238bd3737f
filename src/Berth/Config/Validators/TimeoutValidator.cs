namespace Berth.Config.Validators;

/// <summary>
/// How long a worker may send nothing back before its request gets 504 and the worker is replaced: at least 1s,
/// since below that ordinary views would be cut off and their workers replaced on every request. There is no 0
/// for "never", as gunicorn has: a worker stuck in a view would hold its slot for good.
/// </summary>
public sealed class TimeoutValidator : IConfigValidator
{
    private static readonly TimeSpan Shortest = TimeSpan.FromSeconds(1);

    public IEnumerable<ConfigError> Validate(BerthConfig config)
    {
        foreach (AppConfig app in config.Apps)
        {
            if (app.Timeout < Shortest)
            {
                yield return config.SourceMap.Invalid(app, ConfigSchema.Timeout, Duration.Format(app.Timeout));
            }
        }
    }
}
