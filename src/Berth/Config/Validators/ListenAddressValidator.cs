using System.Globalization;

namespace Berth.Config.Validators;

/// <summary>TCP ports run from 1 to 65535. Port 0 (let the kernel pick) is refused too: nobody could find the server.</summary>
public sealed class ListenAddressValidator : IConfigValidator
{
    public IEnumerable<ConfigError> Validate(BerthConfig config)
    {
        foreach (SiteConfig site in config.Sites)
        {
            for (int i = 0; i < site.Listen.Count; i++)
            {
                ListenAddress address = site.Listen[i];
                if (!address.IsUnix && address.Port is < 1 or > 65535)
                {
                    string path = ConfigPath.Item(ConfigPath.Site(site.Name, ConfigSchema.Listen.Key), i);
                    ConfigLocation at = config.SourceMap.Locate(path, address.Source);
                    yield return new ConfigError(at.Source, at.Key,
                        $"port {address.Port.ToString(CultureInfo.InvariantCulture)} of {address} is out of range: ports run from 1 to 65535",
                        ConfigSchema.Listen.FixFor(at.Source));
                }
            }
        }
    }
}
