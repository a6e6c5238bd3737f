namespace Berth.Edge.Static;

/// <summary>The kind of thing a path names, after following symlinks.</summary>
internal enum FileKind
{
    Regular,
    Directory,

    /// <summary>FIFO, socket or device. nginx answers 404 for these ("is not a regular file"), and opening a
    /// FIFO for reading would block the request until some writer appears.</summary>
    Other,
}

/// <summary>The little of a stat result that static serving needs: enough for Content-Length, ETag and
/// Last-Modified. Seconds, not ticks, because HTTP dates and nginx's ETags both have one-second resolution.</summary>
internal readonly record struct FileFacts(FileKind Kind, long Length, long ModifiedUnixSeconds);
