namespace Berth.Config;

internal sealed partial class ConfigReader
{
    private ServerSettings ReadServer(Entry block)
    {
        var server = new ServerSettings();
        if (Block(block, ConfigSchema.Server) is not { } map)
        {
            return server;
        }

        foreach (Entry entry in Settings(map, block.Path, SettingSection.Server))
        {
            switch (entry.Key)
            {
                case "access_log":
                    // "off" as in nginx's `access_log off;`; YAML would otherwise make it a file named "off".
                    server = server with { AccessLog = Text(entry, ConfigSchema.AccessLog) is { } log and not "off" ? (log == "-" ? log : Resolve(log)) : null };
                    break;
                case "graceful_timeout":
                    server = server with { GracefulTimeout = Parsed<TimeSpan>(entry, ConfigSchema.GracefulTimeout, Duration.TryParse) ?? server.GracefulTimeout };
                    break;
                case "forwarded_allow_ips":
                    server = server with { ForwardedAllowIps = Strings(entry, ConfigSchema.ForwardedAllowIps, commaSeparated: true).Select(i => i.Text).ToArray() };
                    break;
                case "max_body_size":
                    server = server with { MaxBodySize = Parsed<long>(entry, ConfigSchema.MaxBodySize, ByteSize.TryParse) ?? server.MaxBodySize };
                    break;
                case "runtime_dir":
                    server = server with { RuntimeDir = ResolvedPath(entry, ConfigSchema.RuntimeDir) };
                    break;
                case "storage":
                    server = server with { Storage = ResolvedPath(entry, ConfigSchema.Storage) ?? server.Storage };
                    break;
                case "acme_directory":
                    server = server with { AcmeDirectory = Text(entry, ConfigSchema.AcmeDirectory) ?? server.AcmeDirectory };
                    break;
                case "acme_email":
                    server = server with { AcmeEmail = Text(entry, ConfigSchema.AcmeEmail) };
                    break;
                case "acme_ca_bundle":
                    server = server with { AcmeCaBundle = ResolvedPath(entry, ConfigSchema.AcmeCaBundle) };
                    break;
                case "apps_dir":
                    server = server with { AppsDir = ResolvedPath(entry, ConfigSchema.AppsDir) };
                    break;
                default:
                    throw Unread(entry);
            }
        }

        return server;
    }
}
