namespace Berth.Config;

/// <summary>The fix for a key a block does not know: the key it was probably meant to be, the block it belongs
/// in, or berth's name for another server's setting (gunicorn's <c>bind</c> is <c>listen</c> here).</summary>
public static class UnknownKeyAdvice
{
    public static string For(string given, SettingSection section)
    {
        string name = DidYouMean.Normalize(given);
        IReadOnlyList<Setting> here = ConfigSchema.KeysOf(section);

        if (here.FirstOrDefault(s => s.Key == name) is { } exact)
        {
            // Only the spelling differs (Workers, max-body-size): the key is right, the way it is written is not.
            return $"write it as `{exact.Key}` (lower case, with underscores)";
        }

        if (here.FirstOrDefault(s => s.Aliases.Contains(name)) is { } alias)
        {
            return $"did you mean `{alias.Key}`? That is berth's name for `{given}`";
        }

        if (DidYouMean.Find(given, here.Select(s => s.Key)) is { } typo)
        {
            return $"did you mean `{typo}`?";
        }

        // mount:, site: and hosts: of an app file are never the answer elsewhere: in berth.yml they are sites' business.
        // Nor are the notify blocks' common words (host:, user:, to:) outside them.
        Setting[] others = ConfigSchema.All
            .Where(s => s.Section != section && s.Section != SettingSection.AppFile && (!ConfigSchema.IsNotify(s.Section) || ConfigSchema.IsNotify(section)))
            .ToArray();
        if (others.FirstOrDefault(s => s.Key == name) is { } elsewhere)
        {
            return $"`{elsewhere.Key}` goes {ConfigSchema.Describe(elsewhere.Section)}, not here";
        }

        if (others.FirstOrDefault(s => s.Aliases.Contains(name)) is { } foreign)
        {
            return $"berth calls this `{foreign.Key}`, and it belongs {ConfigSchema.Describe(foreign.Section)}";
        }

        return $"remove it; the keys {ConfigSchema.Describe(section)} are {string.Join(", ", here.Select(s => s.Key))}";
    }
}
