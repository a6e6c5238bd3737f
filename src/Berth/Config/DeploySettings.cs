using Berth.Deploy;

namespace Berth.Config;

/// <summary>
/// The <c>deploy:</c> section of berth.yml: which hosts <c>berth deploy</c> drives, what it puts on them and
/// how it checks the result (docs/deploy.md walks through each key). Read by ConfigReader.Deploy.cs; the
/// deploy engine takes it as it is, with every path already resolved and every default filled in.
/// </summary>
public sealed record DeploySettings
{
    public const int DefaultKeepReleases = 5;
    public const int DefaultParallel = 5;

    /// <summary><c>hosts:</c>, each <c>[user@]host[:port]</c>; the user defaults to the local user name.</summary>
    public required IReadOnlyList<DeployHost> Hosts { get; init; }

    /// <summary><c>repository:</c>, as this machine clones it (a URL, <c>git@host:path</c>, or a local path made absolute).</summary>
    public required string Repository { get; init; }

    /// <summary>Where berth.yml sits in the repository: "" at its root, <c>deploy</c> for deploy/berth.yml. Found by
    /// looking for <c>.git</c> above the file; relative paths of the served config start at <c>current/</c> plus this.</summary>
    public string ConfigDirectoryInRepository { get; init; } = "";

    /// <summary><c>branch:</c> (default <c>main</c>), used when <see cref="Revision"/> is not set.</summary>
    public string Branch { get; init; } = "main";

    /// <summary><c>revision:</c>, a tag or commit that wins over <see cref="Branch"/>.</summary>
    public string? Revision { get; init; }

    /// <summary><c>path:</c> on the host, default <c>/srv/&lt;first app&gt;</c> (DESIGN.md, "On-disk layout").</summary>
    public required string Path { get; init; }

    /// <summary><c>python:</c> on the host that builds the virtualenvs (default <c>/usr/bin/python3</c>).</summary>
    public string Python { get; init; } = "/usr/bin/python3";

    /// <summary><c>system_packages:</c>, apt packages installed when missing.</summary>
    public IReadOnlyList<string> SystemPackages { get; init; } = [];

    /// <summary><c>requirements:</c>, relative to the repository root; none when the file is absent from the release.</summary>
    public string Requirements { get; init; } = "requirements.txt";

    /// <summary><c>pip:</c> extra arguments for offline installs, such as <c>--no-index --find-links /srv/wheels</c>.</summary>
    public IReadOnlyList<string> PipArguments { get; init; } = [];

    /// <summary><c>venv_system_site_packages:</c>: build venvs with <c>--system-site-packages</c> (packages from apt).</summary>
    public bool VenvSystemSitePackages { get; init; }

    /// <summary><c>shared:</c>, release-relative paths kept in <c>shared/</c> across deploys; a trailing <c>/</c> is a directory.</summary>
    public IReadOnlyList<string> Shared { get; init; } = [];

    /// <summary><c>env_file:</c>, a local file (absolute) uploaded to <c>shared/.env</c> with mode 0600.</summary>
    public string? EnvFile { get; init; }

    /// <summary><c>hooks: before_switch:</c>, shell commands run in the new release with its venv first on PATH.</summary>
    public IReadOnlyList<string> BeforeSwitch { get; init; } = [];

    /// <summary><c>hooks: after_switch:</c>, run in the live release after the health check passed.</summary>
    public IReadOnlyList<string> AfterSwitch { get; init; } = [];

    /// <summary><c>health_check: path:</c>, fetched on the host after the switch; null for none.</summary>
    public string? HealthCheckPath { get; init; } = "/";

    /// <summary><c>health_check: timeout:</c>, how long the new release has to answer below 400.</summary>
    public TimeSpan HealthCheckTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary><c>keep_releases:</c>, good releases kept besides the live one's history; failed ones do not count.</summary>
    public int KeepReleases { get; init; } = DefaultKeepReleases;

    /// <summary><c>parallel:</c>, how many hosts are driven at once.</summary>
    public int Parallel { get; init; } = DefaultParallel;

    /// <summary><c>batch:</c>, rolling batches of this many hosts (0: all hosts, <see cref="Parallel"/> at a time).</summary>
    public int Batch { get; init; }

    /// <summary><c>user:</c>, the service user on the host that runs berth serve (default: the ssh user).</summary>
    public string? ServiceUser { get; init; }

    /// <summary><c>berth_binary:</c>, the local self-contained berth uploaded to the hosts (default: the running one
    /// when it is a single-file publish).</summary>
    public string? BerthBinary { get; init; }

    /// <summary><c>upload_code:</c> true sends a <c>git archive</c> instead of letting the host fetch (hosts that cannot
    /// reach the repository); default false.</summary>
    public bool UploadCode { get; init; }

    /// <summary><c>ssh:</c>, how the system OpenSSH client is run.</summary>
    public SshSettings Ssh { get; init; } = new();

    /// <summary><c>notify:</c>, who is told when a run ends; null when nobody is.</summary>
    public NotifySettings? Notify { get; init; }

    public SourceSpan Source { get; init; }
}

/// <summary><c>deploy: ssh:</c>. berth never asks for a password: it runs ssh in batch mode with a key.</summary>
public sealed record SshSettings
{
    /// <summary><c>identity_file:</c> (<c>~</c> expanded); null lets ssh use its defaults and the agent.</summary>
    public string? IdentityFile { get; init; }

    /// <summary><c>known_hosts:</c>, a known_hosts file used instead of the user's (tests give their own).</summary>
    public string? KnownHostsFile { get; init; }

    /// <summary><c>strict_host_key_checking:</c>: <c>accept-new</c> (default: trust a host on first sight, remember
    /// it, refuse it if its key ever changes) or <c>yes</c> (only hosts already in known_hosts).</summary>
    public string StrictHostKeyChecking { get; init; } = "accept-new";

    /// <summary><c>connect_timeout:</c>, for the first connection to each host.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary><c>options:</c>, extra <c>-o Key=Value</c> options for ssh, such as <c>ProxyJump=bastion</c>.</summary>
    public IReadOnlyList<string> Options { get; init; } = [];
}
