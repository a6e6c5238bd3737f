using System.Runtime.InteropServices;

namespace Berth.Edge.Static;

/// <summary>Asks the kernel what a path really is: where its symlinks lead (libc <c>realpath</c>) and what it
/// names (<c>statx</c>). These are the lookups nginx's <c>open_file_cache</c> makes, without the cache: every
/// request sees the file system as it is now, so a deploy that swaps <c>current</c> is visible at once.</summary>
/// <remarks>Unix only, like the rest of Berth. Off Linux (a developer's Mac) <c>statx</c> does not exist and
/// the managed fallback cannot tell FIFOs from files.</remarks>
internal static partial class FileProbe
{
    private const int AtFdCwd = -100;
    private const uint StatxBasicStats = 0x7ff;
    private const ushort TypeMask = 0xF000;   // S_IFMT
    private const ushort TypeRegular = 0x8000; // S_IFREG
    private const ushort TypeDirectory = 0x4000; // S_IFDIR
    private const int ENOSYS = 38;
    private const int EPERM = 1;

    // Set once when the kernel or a seccomp filter (older Docker) refuses statx itself; never reset, because
    // that answer does not change while the process lives.
    private static volatile bool s_statxUnavailable = !OperatingSystem.IsLinux();

    /// <summary>The absolute path with every symlink, "." and ".." resolved, or null when any component is
    /// missing, unreadable or loops.</summary>
    public static string? RealPath(string path)
    {
        // A UTF-8 marshalled string ends at its first NUL, so "a\0b" would quietly resolve "a".
        if (path.Contains('\0', StringComparison.Ordinal))
        {
            return null;
        }

        nint resolved = realpath(path, 0);
        if (resolved == 0)
        {
            return null;
        }

        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            free(resolved);
        }
    }

    /// <summary>One stat of <paramref name="path"/>, following symlinks. False when nothing is there (or it
    /// cannot be looked at), which the caller answers with 404.</summary>
    public static bool TryStat(string path, out FileFacts facts)
    {
        if (path.Contains('\0', StringComparison.Ordinal))
        {
            facts = default;
            return false;
        }

        if (!s_statxUnavailable)
        {
            if (statx(AtFdCwd, path, 0, StatxBasicStats, out StatxBuffer buffer) == 0)
            {
                FileKind kind = (buffer.Mode & TypeMask) switch
                {
                    TypeRegular => FileKind.Regular,
                    TypeDirectory => FileKind.Directory,
                    _ => FileKind.Other,
                };
                facts = new FileFacts(kind, (long)buffer.Size, buffer.ModifiedSeconds);
                return true;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno is not (ENOSYS or EPERM))
            {
                facts = default;
                return false;
            }

            s_statxUnavailable = true;
        }

        return TryStatManaged(path, out facts);
    }

    private static bool TryStatManaged(string path, out FileFacts facts)
    {
        FileSystemInfo info = new FileInfo(path);
        if (!info.Exists)
        {
            info = new DirectoryInfo(path);
            if (!info.Exists)
            {
                facts = default;
                return false;
            }
        }

        facts = new FileFacts(
            info is DirectoryInfo ? FileKind.Directory : FileKind.Regular,
            info is FileInfo file ? file.Length : 0,
            new DateTimeOffset(info.LastWriteTimeUtc).ToUnixTimeSeconds());
        return true;
    }

    [LibraryImport("libc", EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial nint realpath(string path, nint resolved);

    [LibraryImport("libc", EntryPoint = "free")]
    private static partial void free(nint pointer);

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int statx(int directoryFd, string path, int flags, uint mask, out StatxBuffer buffer);

    /// <summary><c>struct statx</c> from linux/stat.h. Unlike <c>struct stat</c> its layout is the same on
    /// every architecture, which is why it is used here: 256 bytes, of which these fields are read.
    /// <code>
    ///   0 u32 mask      4 u32 blksize    8 u64 attributes   16 u32 nlink   20 u32 uid   24 u32 gid
    ///  28 u16 mode     30 u16 spare     32 u64 ino         40 u64 size    48 u64 blocks 56 u64 attributes_mask
    ///  64 atime       80 btime          96 ctime          112 mtime {i64 tv_sec, u32 tv_nsec, i32 pad}
    /// </code></summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct StatxBuffer
    {
        [FieldOffset(28)] public ushort Mode;
        [FieldOffset(40)] public ulong Size;
        [FieldOffset(112)] public long ModifiedSeconds;
    }
}
