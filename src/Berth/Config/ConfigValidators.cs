using Berth.Config.Validators;

namespace Berth.Config;

/// <summary>The validators every configuration passes through, from the file or from flags.</summary>
public static class ConfigValidators
{
    public static IReadOnlyList<IConfigValidator> All { get; } =
    [
        new RequiredSectionsValidator(),
        new NameValidator(),
        new AppModuleValidator(),
        new PoolSizeValidator(),
        new TimeoutValidator(),
        new RecyclingValidator(),
        new InterpreterValidator(),
        new ChdirValidator(),
        new EnvironmentValidator(),
        new EnvFileValidator(),
        new ListenAddressValidator(),
        new ListenerSharingValidator(),
        new HostNameValidator(),
        new UrlPrefixValidator(),
        new StaticDirectoryValidator(),
        new MountTargetValidator(),
        new ForwardedAllowIpsValidator(),
        new AccessLogValidator(),
        new AppsDirValidator(),
        new TlsValidator(),
    ];

    /// <summary>Runs every validator over <paramref name="config"/> and adds their errors to <paramref name="earlier"/>
    /// ones (from reading the file or the flags). A validator's error about a setting that already has an error, or that
    /// sits inside one (apps.web.module when apps.web itself could not be read), is a consequence, not news, and is dropped.
    /// Flags are exempt: every --bind shares one key, and each bad one is news.</summary>
    public static ConfigResult Check(BerthConfig config, IReadOnlyList<ConfigError> earlier)
    {
        if (earlier.Any(e => e.Key.Length == 0 && e.Source != SourceSpan.CommandLine))
        {
            return ConfigResult.Failed(earlier); // the file as a whole is unreadable; rules about its contents would only add noise
        }

        var errors = new List<ConfigError>(earlier);
        foreach (IConfigValidator validator in All)
        {
            foreach (ConfigError error in validator.Validate(config))
            {
                if (!earlier.Any(e => e.Source != SourceSpan.CommandLine && e.Key.Length > 0 && ConfigPath.IsWithin(error.Key, e.Key)))
                {
                    errors.Add(error);
                }
            }
        }

        return ConfigResult.From(config, errors);
    }
}
