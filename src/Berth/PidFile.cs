namespace Berth;

/// <summary>
/// The pid file of a <c>berth serve</c> (gunicorn's <c>--pid</c>): written once the server listens, so its
/// existence means "serving", and removed when that server stops. Scripts and <c>berth deploy</c> on a host
/// without systemd find the daemon through it.
/// </summary>
public sealed class PidFile(string path)
{
    public string Path { get; } = System.IO.Path.GetFullPath(path);

    /// <summary>The pid the file names when that process is alive and is a berth; null when the file is missing,
    /// unreadable, or stale (its process is gone, or the pid was reused by another program).</summary>
    public int? ReadLiveBerth()
    {
        if (!TryReadPid(out int pid) || pid == Environment.ProcessId)
        {
            return null;
        }

        try
        {
            // NUL-separated argv: "dotnet /…/berth.dll serve …" or "/usr/local/bin/berth serve …".
            return File.ReadAllText($"/proc/{pid}/cmdline").Contains("berth", StringComparison.Ordinal) ? pid : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Writes <paramref name="pid"/> atomically (a temporary file, then rename), so a reader never sees half a number.</summary>
    public void Write(int pid)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        string temporary = $"{Path}.{pid}.tmp";
        File.WriteAllText(temporary, $"{pid}\n");
        File.Move(temporary, Path, overwrite: true);
    }

    /// <summary>Removes the file if it still names <paramref name="pid"/>: a newer server may have taken it over.</summary>
    public void DeleteIfMine(int pid)
    {
        if (TryReadPid(out int named) && named == pid)
        {
            File.Delete(Path);
        }
    }

    private bool TryReadPid(out int pid)
    {
        pid = 0;
        try
        {
            return int.TryParse(File.ReadAllText(Path).Trim(), out pid) && pid > 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
