using System.Reflection;

namespace Berth.Workers;

/// <summary>The Python side of the protocol ships inside the berth binary and is written out at start,
/// so a deployed server needs no pip package: one file, stdlib only.</summary>
public static class WorkerShim
{
    public const string FileName = "berth_worker.py";

    public static string WriteTo(string runtimeDirectory)
    {
        string path = Path.Combine(runtimeDirectory, FileName);
        using Stream source = Assembly.GetExecutingAssembly().GetManifestResourceStream(FileName)
            ?? throw new InvalidOperationException($"{FileName} is missing from the berth binary; rebuild berth");
        string temp = path + ".tmp";
        using (FileStream target = File.Create(temp))
        {
            source.CopyTo(target);
        }

        File.Move(temp, path, overwrite: true);
        return path;
    }
}
