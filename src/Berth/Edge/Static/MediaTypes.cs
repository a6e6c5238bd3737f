using System.Collections.Frozen;
using Microsoft.AspNetCore.StaticFiles;

namespace Berth.Edge.Static;

/// <summary>Content-Type by file extension, from ASP.NET Core's extension table, with the charset a browser
/// should assume for text.</summary>
internal static class MediaTypes
{
    public const string Unknown = "application/octet-stream";

    // Built once: the extension table is part of the binary and cannot go stale, and the charset suffix
    // then costs no allocation per request.
    private static readonly FrozenDictionary<string, string> s_byExtension =
        new FileExtensionContentTypeProvider().Mappings.ToFrozenDictionary(
            pair => pair.Key,
            pair => WithCharset(pair.Value),
            StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> s_bySpan =
        s_byExtension.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The Content-Type for <paramref name="fileName"/>; <see cref="Unknown"/> when the extension
    /// is not in the table, which with <c>X-Content-Type-Options: nosniff</c> makes browsers download rather
    /// than guess.</summary>
    public static string For(ReadOnlySpan<char> fileName)
    {
        ReadOnlySpan<char> extension = Path.GetExtension(fileName);
        return !extension.IsEmpty && s_bySpan.TryGetValue(extension, out string? type) ? type : Unknown;
    }

    // Without a charset, browsers fall back to windows-1252 for text/* and mangle every non-ASCII character
    // of a UTF-8 file. JSON and SVG are UTF-8 by their specs; the parameter just removes doubt.
    private static string WithCharset(string type) =>
        type.StartsWith("text/", StringComparison.OrdinalIgnoreCase)
        || type is "application/javascript" or "application/json" or "image/svg+xml"
            ? type + "; charset=utf-8"
            : type;
}
