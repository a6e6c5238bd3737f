using System.Net;

namespace Berth.Config.Validators;

/// <summary>
/// forwarded_allow_ips lists the peers whose X-Forwarded-* headers are believed (gunicorn's setting of the same
/// name). Each entry is an IP address or <c>*</c>. Networks (10.0.0.0/8) are refused rather than accepted and
/// ignored: the edge compares single addresses, and silently distrusting a proxy is a hard bug to find.
/// </summary>
public sealed class ForwardedAllowIpsValidator : IConfigValidator
{
    public IEnumerable<ConfigError> Validate(BerthConfig config)
    {
        IReadOnlyList<string> entries = config.Server.ForwardedAllowIps;
        for (int i = 0; i < entries.Count; i++)
        {
            string entry = entries[i];
            if (entry == "*" || IsAddress(entry))
            {
                continue;
            }

            string path = ConfigPath.Item(ConfigPath.ServerKey(ConfigSchema.ForwardedAllowIps.Key), i);
            yield return entry.Contains('/', StringComparison.Ordinal)
                ? config.SourceMap.Error(path, config.SourceMap.Origin, $"\"{entry}\" is a network, and berth matches single addresses only", "list the addresses of your proxies one by one")
                : config.SourceMap.Invalid(path, config.SourceMap.Origin, ConfigSchema.ForwardedAllowIps, $"\"{entry}\"");
        }
    }

    // IPAddress.TryParse takes "1" as 0.0.0.1; only the dotted quad is an IPv4 address here.
    private static bool IsAddress(string text) =>
        IPAddress.TryParse(text, out IPAddress? ip) && (text.Contains(':', StringComparison.Ordinal) || text.Count(c => c == '.') == 3);
}
