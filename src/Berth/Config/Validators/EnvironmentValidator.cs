namespace Berth.Config.Validators;

/// <summary>Environment variable names the kernel can carry: not empty, no <c>=</c> (it ends the name in
/// <c>NAME=value</c>) and no NUL (it ends the string).</summary>
public sealed class EnvironmentValidator : IConfigValidator
{
    public IEnumerable<ConfigError> Validate(BerthConfig config)
    {
        foreach (AppConfig app in config.Apps)
        {
            foreach (string name in app.Environment.Keys)
            {
                if (name.Length == 0 || name.Contains('=', StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal))
                {
                    string path = ConfigPath.Child(ConfigPath.App(app.Name, ConfigSchema.Env.Key), name);
                    yield return config.SourceMap.Error(path, app.Source, $"\"{name}\" cannot be an environment variable name",
                        "use letters, digits and _ (such as DJANGO_SETTINGS_MODULE); write the value after the colon, not an =");
                }
            }
        }
    }
}
