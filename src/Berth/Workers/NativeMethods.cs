using System.Runtime.InteropServices;

namespace Berth.Workers;

internal static partial class NativeMethods
{
    /// <summary>kill(2): .NET's Process.Kill only sends SIGKILL, and the supervisor needs SIGUSR1 too.</summary>
    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    internal static partial int Kill(int pid, int signal);
}
