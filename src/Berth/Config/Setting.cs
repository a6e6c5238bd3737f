namespace Berth.Config;

/// <summary>Which block of berth.yml a setting belongs in, or an app's own file in apps_dir.</summary>
public enum SettingSection
{
    TopLevel, Server, App, Site, Tls, AppFile,

    // deploy: and its blocks (ConfigReader.Deploy.cs)
    Deploy, Hooks, HealthCheck, Ssh,

    // deploy: notify: and its channels (ConfigReader.Notify.cs)
    Notify, Slack, Webhook, Email, Sms,
}

/// <summary>
/// One key of berth.yml: what a valid value looks like, what to suggest, the flag that overrides it, and the
/// names nginx, uWSGI and gunicorn give it (so <c>bind:</c> gets "did you mean `listen`?"). The reader, the
/// validators and the flag builder all phrase their errors from here; defaults live on the records
/// (<see cref="AppConfig"/> and friends) and the prose on docs/berth.example.yml, which a test keeps complete.
/// </summary>
/// <param name="Key">The YAML key.</param>
/// <param name="Section">The block it belongs in.</param>
/// <param name="Expects">What a valid value is, to follow "must be": "a whole number from 1 to 1024".</param>
/// <param name="Advice">What to set it to, to follow "set workers: to": "a count such as 4".</param>
/// <param name="Flag">The command-line flag that overrides it, if any.</param>
public sealed record Setting(string Key, SettingSection Section, string Expects, string Advice, string? Flag = null)
{
    /// <summary>Names other servers use for this setting (gunicorn's <c>bind</c>, nginx's <c>server_name</c>).</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>The fix, naming the flag when the value came from the command line.</summary>
    public string FixFor(SourceSpan source) => $"set {NameFor(source)} to {Advice}";

    /// <summary>What a user who wrote it at <paramref name="source"/> calls it: <c>--workers</c> on the command line, else <c>workers:</c>.</summary>
    public string NameFor(SourceSpan source) => source == SourceSpan.CommandLine && Flag is not null ? Flag : $"{Key}:";
}
