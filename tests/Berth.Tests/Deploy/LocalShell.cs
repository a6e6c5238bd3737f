using System.Diagnostics;
using Berth.Deploy;

namespace Berth.Tests.Deploy;

/// <summary>Runs a <see cref="RemoteCommand"/> with this machine's sh, exactly as ssh hands it to the host's shell:
/// the scripts the steps send are tested for what they do, not only for how they read.</summary>
internal static class LocalShell
{
    public static RemoteResult Run(RemoteCommand command)
    {
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command.ToString());
        using Process sh = Process.Start(start)!;
        sh.StandardInput.Write(command.Stdin ?? "");
        sh.StandardInput.Close();
        Task<string> stdout = sh.StandardOutput.ReadToEndAsync();
        string stderr = sh.StandardError.ReadToEnd();
        sh.WaitForExit();
        return new RemoteResult(sh.ExitCode, stdout.Result, stderr);
    }
}
