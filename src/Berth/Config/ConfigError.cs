namespace Berth.Config;

/// <summary>
/// One problem in the configuration, written for the person who has to fix it:
/// <c>berth.yml:12: apps.web.workers: must be a whole number from 1 to 1024, got "two". Fix: set workers: to …</c>.
/// </summary>
/// <param name="Source">The file and line (or <see cref="SourceSpan.CommandLine"/>) the setting came from.</param>
/// <param name="Key">The setting's path as the user wrote it (<c>apps.web.workers</c>) or the flag (<c>--workers</c>); empty when the problem is the file itself.</param>
/// <param name="Message">What is wrong, without a trailing period.</param>
/// <param name="Fix">What to do about it.</param>
public sealed record ConfigError(SourceSpan Source, string Key, string Message, string Fix)
{
    public override string ToString()
    {
        string where = Key.Length == 0 ? $"{Source}: " : $"{Source}: {Key}: ";
        string message = Message.TrimEnd('.');
        if (Fix.Length == 0)
        {
            return $"{where}{message}.";
        }

        return Fix.EndsWith('.') || Fix.EndsWith('?') ? $"{where}{message}. Fix: {Fix}" : $"{where}{message}. Fix: {Fix}.";
    }
}
