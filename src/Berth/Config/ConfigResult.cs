namespace Berth.Config;

/// <summary>The outcome of loading or building a configuration: a config when there is nothing to fix,
/// otherwise every error found (not only the first), ordered by line.</summary>
public sealed record ConfigResult(BerthConfig? Config, IReadOnlyList<ConfigError> Errors)
{
    public bool IsValid => Config is not null && Errors.Count == 0;

    internal static ConfigResult From(BerthConfig config, IEnumerable<ConfigError> errors)
    {
        ConfigError[] ordered = errors.OrderBy(e => e.Source.Line).ToArray(); // OrderBy is stable: same-line errors keep their order
        return ordered.Length == 0 ? new ConfigResult(config, []) : new ConfigResult(null, ordered);
    }

    internal static ConfigResult Failed(IEnumerable<ConfigError> errors) => new(null, errors.OrderBy(e => e.Source.Line).ToArray());
}
