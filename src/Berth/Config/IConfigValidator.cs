namespace Berth.Config;

/// <summary>
/// One rule about a whole configuration, checked after reading (the form of each value is the reader's job).
/// Implementations are small, stateless, and report every violation they find; they name the setting through
/// <see cref="BerthConfig.SourceMap"/>, so the same rule points at berth.yml:12 or at --workers.
/// </summary>
public interface IConfigValidator
{
    IEnumerable<ConfigError> Validate(BerthConfig config);
}
