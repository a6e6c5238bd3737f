using YamlDotNet.RepresentationModel;

namespace Berth.Config;

internal sealed partial class ConfigReader
{
    private List<SiteConfig> ReadSites(Entry block)
    {
        var sites = new List<SiteConfig>();
        if (Block(block, ConfigSchema.Sites) is { } map)
        {
            foreach (Entry entry in Entries(map, block.Path, ConfigPath.Child))
            {
                sites.Add(ReadSite(entry));
            }
        }

        return sites;
    }

    private SiteConfig ReadSite(Entry block)
    {
        var listen = new List<ListenAddress>();
        var hosts = new List<string>();
        var statics = new List<StaticMount>();
        var mounts = new List<AppMount>();
        bool listenUnreadable = false;
        TlsConfig? tls = null;
        if (block.Value is YamlMappingNode map)
        {
            foreach (Entry entry in Settings(map, block.Path, SettingSection.Site))
            {
                switch (entry.Key)
                {
                    case "listen":
                        foreach (Item item in Strings(entry, ConfigSchema.Listen, commaSeparated: false))
                        {
                            if (ListenAddressParser.TryParse(item.Text, At(item.Node), _baseDirectory, out ListenAddress? address, out string problem))
                            {
                                // Validators find an address by its index in SiteConfig.Listen, which skips unreadable items.
                                _sources[ConfigPath.Item(entry.Path, listen.Count)] = new ConfigLocation(At(item.Node), item.Key);
                                listen.Add(address!);
                            }
                            else
                            {
                                listenUnreadable = true;
                                Report(item.Node, item.Key, $"{Quote(item.Text)} {problem}", ConfigSchema.Listen.FixFor(At(item.Node)));
                            }
                        }

                        break;
                    case "hosts":
                        hosts.AddRange(HostNames(entry, ConfigSchema.Hosts));
                        break;
                    case "static":
                        foreach ((string prefix, string directory, SourceSpan at) in Prefixes(entry, ConfigSchema.Static, "a directory"))
                        {
                            statics.Add(new StaticMount(prefix, Resolve(directory), at));
                        }

                        break;
                    case "app":
                        if (Text(entry, ConfigSchema.App) is { } app)
                        {
                            // Shorthand for mounts: { "/": app }; errors about it still point at app:.
                            _sources[ConfigPath.Entry(ConfigPath.Site(block.Key, "mounts"), "/")] = new ConfigLocation(At(entry.KeyNode), entry.Path);
                            mounts.Add(new AppMount("/", app.Trim(), At(entry.KeyNode)));
                        }

                        break;
                    case "mounts":
                        foreach ((string prefix, string appName, SourceSpan at) in Prefixes(entry, ConfigSchema.Mounts, "an app name"))
                        {
                            mounts.Add(new AppMount(prefix, appName.Trim(), at));
                        }

                        break;
                    case "tls":
                        tls = ReadTls(entry);
                        break;
                    default:
                        throw Unread(entry);
                }
            }
        }
        else if (!IsEmpty(block.Value))
        {
            Report(block.KeyNode, block.Path, $"must be a mapping of the site's settings, got {Describe(block.Value)}",
                "put listen:, hosts:, static: and app: (or mounts:) on indented lines under the site's name");
        }

        if (listen.Count == 0 && !listenUnreadable)
        {
            string path = ConfigPath.Site(block.Key, "listen");
            _sources[ConfigPath.Item(path, 0)] = new ConfigLocation(At(block.KeyNode), path);
            listen.Add(ListenAddressParser.Default(At(block.KeyNode)));
        }

        return new SiteConfig(block.Key, listen, hosts, statics, mounts, At(block.KeyNode)) { Tls = tls };
    }

    /// <summary><c>tls: internal</c>, or <c>tls: { cert:, key:, redirect_from:, hsts: }</c>.</summary>
    private TlsConfig? ReadTls(Entry block)
    {
        if (block.Value is YamlScalarNode { Value: "internal" })
        {
            return new TlsConfig(TlsMode.Internal, null, null, At(block.KeyNode));
        }

        if (block.Value is YamlScalarNode { Value: "acme" })
        {
            // Caddy's automatic HTTPS: HTTP-01 needs port 80, which then redirects everything else.
            return new TlsConfig(TlsMode.Acme, null, null, At(block.KeyNode)) { RedirectFrom = ListenAddressParser.TryParse(":80", At(block.Value), _baseDirectory, out ListenAddress? http, out _) ? http : null };
        }

        if (block.Value is YamlScalarNode scalar && IsEmpty(scalar))
        {
            return null;
        }

        if (block.Value is not YamlMappingNode map)
        {
            Invalid(block, ConfigSchema.Tls, Describe(block.Value));
            return null;
        }

        string? cert = null, key = null;
        ListenAddress? redirect = null;
        TimeSpan? hsts = null;
        TlsMode mode = TlsMode.Files;
        AcmeChallenge challenge = AcmeChallenge.Http01;
        foreach (Entry entry in Settings(map, block.Path, SettingSection.Tls))
        {
            switch (entry.Key)
            {
                case "cert":
                    cert = ResolvedPath(entry, ConfigSchema.Cert);
                    break;
                case "key":
                    key = ResolvedPath(entry, ConfigSchema.Key);
                    break;
                case "redirect_from":
                    if (Text(entry, ConfigSchema.RedirectFrom) is { } text)
                    {
                        if (ListenAddressParser.TryParse(text, At(entry.Value), _baseDirectory, out ListenAddress? address, out string problem))
                        {
                            redirect = address;
                        }
                        else
                        {
                            Report(entry.Value, entry.Path, $"{Quote(text)} {problem}", ConfigSchema.RedirectFrom.FixFor(At(entry.Value)));
                        }
                    }

                    break;
                case "issuer":
                    switch (Text(entry, ConfigSchema.Issuer))
                    {
                        case "acme": mode = TlsMode.Acme; break;
                        case "internal": mode = TlsMode.Internal; break;
                        case null: break;
                        case { } other: Invalid(entry, ConfigSchema.Issuer, Quote(other)); break;
                    }

                    break;
                case "challenge":
                    switch (Text(entry, ConfigSchema.Challenge))
                    {
                        case "http-01": challenge = AcmeChallenge.Http01; break;
                        case "tls-alpn-01": challenge = AcmeChallenge.TlsAlpn01; break;
                        case null: break;
                        case { } other: Invalid(entry, ConfigSchema.Challenge, Quote(other)); break;
                    }

                    break;
                case "hsts":
                    // "off" as in nginx's habit; a bare duration is the max-age.
                    hsts = Text(entry, ConfigSchema.Hsts) is "off" ? null : Parsed<TimeSpan>(entry, ConfigSchema.Hsts, Duration.TryParse);
                    break;
                default:
                    throw Unread(entry);
            }
        }

        return new TlsConfig(mode, cert, key, At(block.KeyNode)) { RedirectFrom = redirect, Hsts = hsts, Challenge = challenge };
    }

    /// <summary>The names of a hosts: setting. Host names compare case-insensitively, and a trailing dot is the DNS
    /// root, not part of the name.</summary>
    private List<string> HostNames(Entry entry, Setting setting) =>
        Strings(entry, setting, commaSeparated: false).Select(i => i.Text.Trim().TrimEnd('.').ToLowerInvariant()).ToList();

    /// <summary>The entries of static: or mounts:, URL prefix → text.</summary>
    private IEnumerable<(string Prefix, string Target, SourceSpan At)> Prefixes(Entry block, Setting setting, string target)
    {
        if (Block(block, setting) is not { } map)
        {
            yield break;
        }

        foreach (Entry entry in Entries(map, block.Path, ConfigPath.Entry))
        {
            if (entry.Value is YamlScalarNode scalar && !IsEmpty(scalar))
            {
                yield return (entry.Key, scalar.Value!, At(entry.KeyNode));
            }
            else
            {
                Report(entry.KeyNode, entry.Path, $"must map the URL prefix to {target}, got {Describe(entry.Value)}", setting.FixFor(At(entry.KeyNode)));
            }
        }
    }
}
