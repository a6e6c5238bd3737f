namespace Berth.Config;

/// <summary>The outcome of loading an app file of apps_dir: the app when there is nothing to fix, otherwise every
/// error found, ordered by line.</summary>
public sealed record AppFileResult(AppFile? File, IReadOnlyList<ConfigError> Errors)
{
    public bool IsValid => File is not null && Errors.Count == 0;

    internal static AppFileResult Failed(IEnumerable<ConfigError> errors) => new(null, errors.OrderBy(e => e.Source.Line).ToArray());
}
