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

    /// <summary>A path with <c>*</c> for the names the shell should expand (<c>DeployPaths.Release("*")</c>): every
    /// other part quoted, the stars left bare, so <c>for r in PATTERN</c> lists what is there.</summary>
    public static string Pattern(string pattern) =>
        string.Join('*', pattern.Split('*').Select(part => part.Length == 0 ? "" : Word(part)));
}
