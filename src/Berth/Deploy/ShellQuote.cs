using System.Buffers;

namespace Berth.Deploy;

/// <summary>POSIX shell quoting for words sent over ssh, which always hands its command to the remote
/// user's shell as one string.</summary>
public static class ShellQuote
{
    private static readonly SearchValues<char> Plain =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./:=@%+,-");

    public static string Word(string word) =>
        word.Length > 0 && !word.AsSpan().ContainsAnyExcept(Plain)
            ? word
            : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
