using System.Text.RegularExpressions;
using Berth.Deploy;
using YamlDotNet.RepresentationModel;

namespace Berth.Config;

/// <summary>
/// <c>deploy:</c> (docs/deploy.md), read into <see cref="DeploySettings"/> with every default filled in and every
/// local path absolute: relative to berth.yml's directory, <c>~</c> as the shell means it. <c>berth serve</c> reads
/// and checks this section like the rest of the file and then leaves it alone. Whether the local files it names
/// exist is asked by <c>berth check</c> and the deploy's preflight (<see cref="DeployFiles"/>), not here: a
/// developer's <c>berth serve</c> must not need the production env file.
/// </summary>
internal sealed partial class ConfigReader
{
    // The options berth sets itself to share one connection and never prompt (SshHost); another value would break that.
    private static readonly string[] SshOptionsOfBerth = ["ControlMaster", "ControlPath", "ControlPersist", "BatchMode"];

    private DeploySettings? ReadDeploy(Entry block, List<AppConfig> apps)
    {
        if (Block(block, ConfigSchema.Deploy) is not { } map)
        {
            if (IsEmpty(block.Value))
            {
                Report(block.KeyNode, block.Path, "is empty", "add hosts: and repository: under it (docs/deploy.md shows a whole deploy: section), or remove deploy:");
            }

            return null;
        }

        var deploy = new DeploySettings { Hosts = [], Repository = "", Path = "", ConfigDirectoryInRepository = DirectoryInRepository(), Source = At(block.KeyNode) };
        foreach (Entry entry in Settings(map, block.Path, SettingSection.Deploy))
        {
            deploy = entry.Key switch
            {
                "hosts" => deploy with { Hosts = ReadDeployHosts(entry) },
                "repository" => deploy with { Repository = Repository(entry) ?? "" },
                "branch" => deploy with { Branch = GitName(entry, ConfigSchema.DeployBranch) ?? deploy.Branch },
                "revision" => deploy with { Revision = GitName(entry, ConfigSchema.DeployRevision) },
                "path" => deploy with { Path = HostDirectory(entry) ?? "" },
                "python" => deploy with { Python = Word(entry, ConfigSchema.DeployPython) ?? deploy.Python },
                "system_packages" => deploy with { SystemPackages = AptPackages(entry) },
                "requirements" => deploy with { Requirements = ReleasePath(entry, ConfigSchema.DeployRequirements) ?? deploy.Requirements },
                "pip" => deploy with { PipArguments = PipArguments(entry) },
                "venv_system_site_packages" => deploy with { VenvSystemSitePackages = Boolean(entry, ConfigSchema.DeployVenvSystemSitePackages) ?? deploy.VenvSystemSitePackages },
                "shared" => deploy with { Shared = SharedPaths(entry) },
                "env_file" => deploy with { EnvFile = LocalPath(entry, ConfigSchema.DeployEnvFile) },
                "hooks" => ReadHooks(entry, deploy),
                "health_check" => ReadHealthCheck(entry, deploy),
                "keep_releases" => deploy with { KeepReleases = AtLeast(entry, ConfigSchema.DeployKeepReleases, 1) ?? deploy.KeepReleases },
                "parallel" => deploy with { Parallel = AtLeast(entry, ConfigSchema.DeployParallel, 1) ?? deploy.Parallel },
                "batch" => deploy with { Batch = AtLeast(entry, ConfigSchema.DeployBatch, 0) ?? deploy.Batch },
                "user" => deploy with { ServiceUser = ServiceUser(entry) },
                "berth_binary" => deploy with { BerthBinary = LocalPath(entry, ConfigSchema.DeployBerthBinary) },
                "upload_code" => deploy with { UploadCode = Boolean(entry, ConfigSchema.DeployUploadCode) ?? deploy.UploadCode },
                "ssh" => deploy with { Ssh = ReadSsh(entry) },
                "notify" => deploy with { Notify = ReadNotify(entry) },
                _ => throw Unread(entry),
            };
        }

        Required(block, deploy.Hosts.Count > 0 ? deploy.Hosts : null, ConfigSchema.DeployHosts);
        Required(block, deploy.Repository.Length > 0 ? deploy.Repository : null, ConfigSchema.DeployRepository);
        if (deploy.Path.Length == 0 && !HasKey(map, ConfigSchema.DeployPath.Key) && !ConfigSchema.DeployPath.Aliases.Any(a => HasKey(map, a)))
        {
            // DESIGN.md's layout: /srv/<app>. Without an app under apps: (apps_dir only) there is no name to use.
            if (apps.Count > 0 && apps[0] is { } first)
            {
                deploy = deploy with { Path = "/srv/" + first.Name };
            }
            else
            {
                Report(block.KeyNode, block.Path, "needs path:, since no app under apps: gives it a default (/srv/<first app>)", ConfigSchema.DeployPath.FixFor(At(block.KeyNode)));
            }
        }

        return deploy;
    }

    private List<DeployHost> ReadDeployHosts(Entry entry)
    {
        var hosts = new List<DeployHost>();
        List<Item> items = Strings(entry, ConfigSchema.DeployHosts, commaSeparated: true);
        foreach (Item item in items)
        {
            if (!DeployHostParser.TryParse(item.Text, Environment.UserName, out DeployHost? host, out string problem))
            {
                Report(item.Node, item.Path, $"{Quote(item.Text)} {problem}", ConfigSchema.DeployHosts.FixFor(At(item.Node)));
            }
            else if (hosts.Contains(host!))
            {
                Report(item.Node, item.Path, $"names {host!.Label} a second time", "list each host once: a host deployed twice at once would fight itself for the lock");
            }
            else
            {
                hosts.Add(host!);
            }
        }

        if (items.Count == 0 && entry.Value is YamlSequenceNode { Children.Count: 0 })
        {
            Report(entry.KeyNode, entry.Path, "lists no host", ConfigSchema.DeployHosts.FixFor(At(entry.KeyNode)));
        }

        return hosts;
    }

    /// <summary>A URL or <c>host:path</c> as written; anything else is a local path, made absolute so that git finds it
    /// from any directory. git's own rule: a colon before the first slash makes it scp-like.</summary>
    private string? Repository(Entry entry)
    {
        if (Word(entry, ConfigSchema.DeployRepository) is not { } text)
        {
            return null;
        }

        int colon = text.IndexOf(':', StringComparison.Ordinal);
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        bool remote = text.Contains("://", StringComparison.Ordinal) || (colon > 0 && (slash < 0 || colon < slash));
        return remote ? text : Resolve(HomePath(text));
    }

    /// <summary>A branch, tag or commit: nothing git would read as an option or refuse as a ref name.</summary>
    private string? GitName(Entry entry, Setting setting)
    {
        if (Word(entry, setting) is not { } name)
        {
            return null;
        }

        if (name.StartsWith('-') || name.Contains("..", StringComparison.Ordinal) || name.IndexOfAny(['~', '^', ':', '?', '*', '[', '\\']) >= 0)
        {
            Invalid(entry, setting, Quote(name));
            return null;
        }

        return name;
    }

    /// <summary>deploy's path: on the host: absolute, and not a place whose every file berth would own.</summary>
    private string? HostDirectory(Entry entry)
    {
        if (Word(entry, ConfigSchema.DeployPath) is not { } text)
        {
            return null;
        }

        string path = text.TrimEnd('/');
        if (!text.StartsWith('/') || path.Length == 0 || path.Split('/').Any(part => part is "." or ".."))
        {
            Report(entry.Value, entry.Path, text.StartsWith('/') ? $"{Quote(text)} is not a directory berth can own" : $"{Quote(text)} is relative, but a path on the host must be absolute",
                ConfigSchema.DeployPath.FixFor(At(entry.Value)));
            return null;
        }

        // The path goes into a systemd unit, where a space splits ExecStart= and % starts a specifier.
        if (!path.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-' or '+' or '@'))
        {
            Report(entry.Value, entry.Path, $"{Quote(text)} has characters other than letters, digits and / . _ - + @",
                ConfigSchema.DeployPath.FixFor(At(entry.Value)));
            return null;
        }

        return path;
    }

    /// <summary>A path inside the release (requirements:), relative to the repository's root, and staying in it.</summary>
    private string? ReleasePath(Entry entry, Setting setting)
    {
        if (Word(entry, setting) is not { } path)
        {
            return null;
        }

        if (!IsInsideRelease(path))
        {
            Report(entry.Value, entry.Path, $"{Quote(path)} is not a path inside the repository", setting.FixFor(At(entry.Value)));
            return null;
        }

        return path;
    }

    private List<string> SharedPaths(Entry entry)
    {
        var paths = new List<string>();
        foreach (Item item in Strings(entry, ConfigSchema.DeployShared, commaSeparated: false))
        {
            string path = item.Text.Trim();
            string name = path.TrimEnd('/');
            if (!IsInsideRelease(path) || name.Length == 0)
            {
                Report(item.Node, item.Path, $"{Quote(path)} is not a path inside the release", ConfigSchema.DeployShared.FixFor(At(item.Node)));
            }
            else if (name is ".venv" or ".env" or ".deploy.log")
            {
                Report(item.Node, item.Path, $"{Quote(path)} is berth's own: every release links .venv to its virtualenv and .env to shared/.env (from env_file:)",
                    "remove it from shared:; give your environment with env_file:");
            }
            else
            {
                paths.Add(path);
            }
        }

        return paths;
    }

    private List<string> AptPackages(Entry entry)
    {
        var packages = new List<string>();
        foreach (Item item in Strings(entry, ConfigSchema.DeploySystemPackages, commaSeparated: true))
        {
            if (AptPackage().IsMatch(item.Text.Trim()))
            {
                packages.Add(item.Text.Trim());
            }
            else
            {
                Report(item.Node, item.Path, $"must be {ConfigSchema.DeploySystemPackages.Expects}, got {Quote(item.Text)}", ConfigSchema.DeploySystemPackages.FixFor(At(item.Node)));
            }
        }

        return packages;
    }

    /// <summary><c>pip: [--no-index, --find-links, /srv/wheels]</c>, one argument an item; or one string, split at spaces
    /// (<c>pip: --no-index --find-links /srv/wheels</c>), as it would be typed.</summary>
    private List<string> PipArguments(Entry entry) =>
        Strings(entry, ConfigSchema.DeployPip, commaSeparated: false)
            .SelectMany(item => entry.Value is YamlScalarNode ? item.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [item.Text])
            .ToList();

    private DeploySettings ReadHooks(Entry block, DeploySettings deploy)
    {
        if (Block(block, ConfigSchema.DeployHooks) is not { } map)
        {
            return deploy;
        }

        foreach (Entry entry in Settings(map, block.Path, SettingSection.Hooks))
        {
            deploy = entry.Key switch
            {
                "before_switch" => deploy with { BeforeSwitch = Strings(entry, ConfigSchema.HooksBeforeSwitch, commaSeparated: false).Select(i => i.Text.Trim()).ToList() },
                "after_switch" => deploy with { AfterSwitch = Strings(entry, ConfigSchema.HooksAfterSwitch, commaSeparated: false).Select(i => i.Text.Trim()).ToList() },
                _ => throw Unread(entry),
            };
        }

        return deploy;
    }

    /// <summary><c>health_check: /healthz</c>, <c>{ path: /healthz, timeout: 10s }</c>, or <c>off</c> for none.</summary>
    private DeploySettings ReadHealthCheck(Entry block, DeploySettings deploy)
    {
        if (block.Value is YamlScalarNode scalar && !IsEmpty(scalar))
        {
            string text = scalar.Value!.Trim();
            return text == "off" ? deploy with { HealthCheckPath = null }
                : UrlPath(block, ConfigSchema.DeployHealthCheck, text) is { } path ? deploy with { HealthCheckPath = path }
                : deploy;
        }

        if (Block(block, ConfigSchema.DeployHealthCheck) is not { } map)
        {
            return deploy;
        }

        foreach (Entry entry in Settings(map, block.Path, SettingSection.HealthCheck))
        {
            switch (entry.Key)
            {
                case "path":
                    if (Word(entry, ConfigSchema.HealthPath) is { } text && UrlPath(entry, ConfigSchema.HealthPath, text) is { } path)
                    {
                        deploy = deploy with { HealthCheckPath = path };
                    }

                    break;
                case "timeout":
                    deploy = deploy with { HealthCheckTimeout = Positive(entry, ConfigSchema.HealthTimeout) ?? deploy.HealthCheckTimeout };
                    break;
                default:
                    throw Unread(entry);
            }
        }

        return deploy;
    }

    private string? UrlPath(Entry entry, Setting setting, string text)
    {
        if (text.StartsWith('/') && !text.Any(char.IsWhiteSpace) && Uri.TryCreate("http://host" + text, UriKind.Absolute, out _))
        {
            return text;
        }

        Invalid(entry, setting, Quote(text));
        return null;
    }

    private string? ServiceUser(Entry entry)
    {
        if (Word(entry, ConfigSchema.DeployUser) is not { } user)
        {
            return null;
        }

        if (DeployHostParser.IsUserName(user))
        {
            return user;
        }

        Invalid(entry, ConfigSchema.DeployUser, Quote(user));
        return null;
    }

    private SshSettings ReadSsh(Entry block)
    {
        var ssh = new SshSettings();
        if (Block(block, ConfigSchema.DeploySsh) is not { } map)
        {
            return ssh;
        }

        foreach (Entry entry in Settings(map, block.Path, SettingSection.Ssh))
        {
            switch (entry.Key)
            {
                case "identity_file":
                    ssh = ssh with { IdentityFile = LocalPath(entry, ConfigSchema.SshIdentityFile) };
                    break;
                case "known_hosts":
                    ssh = ssh with { KnownHostsFile = LocalPath(entry, ConfigSchema.SshKnownHosts) };
                    break;
                case "strict_host_key_checking":
                    string? checking = Word(entry, ConfigSchema.SshStrictHostKeyChecking);
                    switch (checking)
                    {
                        case null: break;
                        case "yes" or "accept-new": ssh = ssh with { StrictHostKeyChecking = checking! }; break;
                        case "no" or "off" or "false":
                            Report(entry.Value, entry.Path, "would let anyone who can answer for the host's name receive your code and your secrets",
                                "use accept-new (trust a host the first time, refuse it if its key ever changes); if a host was rebuilt, remove its old key with `ssh-keygen -R HOST`");
                            break;
                        case { } other: Invalid(entry, ConfigSchema.SshStrictHostKeyChecking, Quote(other)); break;
                    }

                    break;
                case "connect_timeout":
                    ssh = ssh with { ConnectTimeout = Positive(entry, ConfigSchema.SshConnectTimeout) ?? ssh.ConnectTimeout };
                    break;
                case "options":
                    ssh = ssh with { Options = SshOptions(entry) };
                    break;
                default:
                    throw Unread(entry);
            }
        }

        return ssh;
    }

    private List<string> SshOptions(Entry entry)
    {
        var options = new List<string>();
        foreach (Item item in Strings(entry, ConfigSchema.SshOptions, commaSeparated: false))
        {
            string option = item.Text.Trim();
            int equals = option.IndexOf('=', StringComparison.Ordinal);
            string name = equals > 0 ? option[..equals] : "";
            if (equals <= 0 || !name.All(char.IsAsciiLetterOrDigit) || equals == option.Length - 1)
            {
                Report(item.Node, item.Path, $"must be {ConfigSchema.SshOptions.Expects}, got {Quote(option)}", ConfigSchema.SshOptions.FixFor(At(item.Node)));
            }
            else if (SshOptionsOfBerth.FirstOrDefault(o => o.Equals(name, StringComparison.OrdinalIgnoreCase)) is { } own)
            {
                Report(item.Node, item.Path, $"sets {own}, which berth sets itself to reuse one connection per host and never wait at a prompt",
                    "remove it; identity_file:, known_hosts: and connect_timeout: cover the rest");
            }
            else
            {
                options.Add(option);
            }
        }

        return options;
    }

    /// <summary>A file on this machine, absolute; <c>~/</c> is the home directory.</summary>
    private string? LocalPath(Entry entry, Setting setting) => Word(entry, setting) is { } path ? Resolve(HomePath(path)) : null;

    private string? Word(Entry entry, Setting setting) => Text(entry, setting)?.Trim() is { Length: > 0 } text ? text : null;

    private int? AtLeast(Entry entry, Setting setting, int minimum)
    {
        if (WholeNumber(entry, setting) is not { } number)
        {
            return null;
        }

        if (number >= minimum)
        {
            return number;
        }

        Invalid(entry, setting, number.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return null;
    }

    private TimeSpan? Positive(Entry entry, Setting setting)
    {
        if (Parsed<TimeSpan>(entry, setting, Duration.TryParse) is not { } duration)
        {
            return null;
        }

        if (duration > TimeSpan.Zero)
        {
            return duration;
        }

        Invalid(entry, setting, Quote(Text(entry, setting)!));
        return null;
    }

    /// <summary>Where berth.yml's directory is in its git checkout: the served config's relative paths start there.</summary>
    private string DirectoryInRepository()
    {
        for (DirectoryInfo? dir = new(_baseDirectory); dir is not null; dir = dir.Parent)
        {
            if (Directory.Exists(Path.Combine(dir.FullName, ".git")) || File.Exists(Path.Combine(dir.FullName, ".git")))
            {
                string relative = Path.GetRelativePath(dir.FullName, _baseDirectory);
                return relative == "." ? "" : relative;
            }
        }

        return "";
    }

    private static bool IsInsideRelease(string path) =>
        path.Length > 0 && !path.StartsWith('/') && !path.StartsWith('~') && !path.Split('/').Any(part => part == "..");

    // Debian package names (Policy 5.6.1), optionally :ARCH and =VERSION; never an option.
    [GeneratedRegex(@"^[a-z0-9][a-z0-9+.-]+(:[a-z0-9-]+)?(=[A-Za-z0-9.+~:-]+)?$")]
    private static partial Regex AptPackage();
}
