namespace Berth.Edge.Static;

/// <summary>What <see cref="SafePath.Map"/> thinks of a request path.</summary>
internal enum PathVerdict
{
    /// <summary>The path may name a file under the root; whether it exists is for the file system to say.</summary>
    Ok,

    /// <summary>The path tries something it may not (traversal, dotfiles); answered 404 so nothing is revealed.</summary>
    Refused,

    /// <summary>The path cannot name any file (it holds NUL); answered 400, as nginx does.</summary>
    Malformed,
}

/// <summary>Maps a URL path onto a static root lexically, before any file system call, and decides afterwards
/// whether a symlink-free real path is still inside the root.</summary>
internal static class SafePath
{
    /// <summary>Joins <paramref name="relativePath"/> (already percent-decoded, as Kestrel gives
    /// <c>Request.Path</c>) onto <paramref name="root"/>. Empty segments are dropped, as nginx's
    /// <c>merge_slashes</c> does. The result still has to pass the real-path check after symlinks are
    /// resolved: this step only keeps names that are plainly hostile from reaching the file system.</summary>
    public static PathVerdict Map(string root, string relativePath, out string fullPath)
    {
        fullPath = root;
        if (relativePath.Contains('\0', StringComparison.Ordinal))
        {
            return PathVerdict.Malformed;
        }

        // Backslashes are ordinary file-name characters on Linux, but a URL holding one is almost always
        // a Windows-style traversal probe ("..\..\etc\passwd"); nothing legitimate is lost by refusing it.
        if (relativePath.Contains('\\', StringComparison.Ordinal))
        {
            return PathVerdict.Refused;
        }

        ReadOnlySpan<char> path = relativePath;
        foreach (Range range in path.Split('/'))
        {
            ReadOnlySpan<char> segment = path[range];
            if (segment.IsEmpty)
            {
                continue;
            }

            // One rule covers ".", "..", and every dotfile or dot-directory (.git, .env, .htpasswd). Berth
            // answers ACME's /.well-known/ itself, in Tls/, so no static mount needs a dot segment.
            if (segment[0] == '.')
            {
                return PathVerdict.Refused;
            }

            // Kestrel decodes %2E but keeps %2F as the three characters "%2F" in Request.Path (decoding it
            // would change the path's structure). Such a leftover, or a double-encoded "%252e" that decoded
            // once to "%2e", is a traversal attempt aimed at a server that decodes twice.
            if (HoldsEncodedSeparator(segment))
            {
                return PathVerdict.Refused;
            }
        }

        fullPath = Join(root, path);
        return PathVerdict.Ok;
    }

    /// <summary>True when <paramref name="realPath"/> (no symlinks left, from realpath) is the root itself or
    /// lies beneath it. A plain prefix test would let <c>/srv/static-private</c> pass for root <c>/srv/static</c>.</summary>
    public static bool IsWithin(string realRoot, string realPath)
    {
        if (!realPath.StartsWith(realRoot, StringComparison.Ordinal))
        {
            return false;
        }

        return realPath.Length == realRoot.Length
            || realRoot.EndsWith('/')
            || realPath[realRoot.Length] == '/';
    }

    private static bool HoldsEncodedSeparator(ReadOnlySpan<char> segment)
    {
        for (int i = 0; i + 2 < segment.Length; i++)
        {
            if (segment[i] != '%')
            {
                continue;
            }

            ReadOnlySpan<char> code = segment.Slice(i + 1, 2);
            if (code.Equals("2e", StringComparison.OrdinalIgnoreCase)       // .
                || code.Equals("2f", StringComparison.OrdinalIgnoreCase)    // /
                || code.Equals("5c", StringComparison.OrdinalIgnoreCase)    // \
                || code.Equals("00", StringComparison.Ordinal))             // NUL
            {
                return true;
            }
        }

        return false;
    }

    private static string Join(string root, ReadOnlySpan<char> path)
    {
        var joined = new System.Text.StringBuilder(root.TrimEnd('/'), root.Length + path.Length + 1);
        foreach (Range range in path.Split('/'))
        {
            if (!path[range].IsEmpty)
            {
                joined.Append('/').Append(path[range]);
            }
        }

        return joined.Length == 0 ? "/" : joined.ToString();
    }
}
