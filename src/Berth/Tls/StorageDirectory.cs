namespace Berth.Tls;

/// <summary>
/// Berth's state directory (/var/lib/berth): the local CA now, ACME accounts and certificates later. The directory is
/// 0700, private keys 0600 from the moment they exist (never chmod-ed after a write), and every file is written to a
/// temporary name and renamed, so a crash never leaves half a key. A lock file keeps two berth processes from
/// creating the same thing at once.
/// </summary>
public sealed class StorageDirectory
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public StorageDirectory(string root)
    {
        Root = root;
    }

    public string Root { get; }

    public string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>Creates <paramref name="relative"/> and its parents, each 0700.</summary>
    public string EnsureDirectory(string relative = "")
    {
        string path = Path.Combine(Root, relative);
        try
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new CertificateException($"cannot create {path}: {e.Message}; create it for the user berth runs as, or set server: storage: to a directory it may write", e);
        }

        return path;
    }

    /// <summary>Writes <paramref name="contents"/> whole or not at all; <paramref name="secret"/> files are 0600.</summary>
    public static void WriteAtomic(string path, string contents, bool secret)
    {
        string temporary = $"{path}.{Environment.ProcessId}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = secret ? Private : Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        }

        using (var stream = new FileStream(temporary, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(contents);
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Holds storage's lock file until disposed; waits for another berth that holds it.</summary>
    public FileStream Lock(TimeSpan wait)
    {
        EnsureDirectory();
        string path = PathOf("berth.lock");
        DateTime until = DateTime.UtcNow + wait;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < until)
            {
                Thread.Sleep(100);
            }
        }
    }
}
