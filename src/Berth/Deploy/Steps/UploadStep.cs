namespace Berth.Deploy.Steps;

/// <summary>
/// A local file that the host keeps a copy of (the berth binary, the served berth.yml): uploaded only when its
/// sha256 differs from the host's, which the facts script read in preflight.
/// </summary>
/// <param name="onChange">What a new copy means for the reload step; told under --plan too, of the copy that would be made.</param>
public sealed class UploadStep(string name, Func<StepContext, (string Local, string Sha, string Remote, string? RemoteSha)> files, int mode, Action<StepContext> onChange) : IDeployStep
{
    private const int Executable = 0x1ED; // 0755
    private const int Readable = 0x1A4;   // 0644

    /// <summary>bin/berth: the self-contained berth that serves on the host; a new one means a restart.</summary>
    public static UploadStep BerthBinary() => new("berth binary",
        c => (c.Inputs.BerthBinary, c.Inputs.BerthSha, c.Layout.BerthBinary, c.Facts.BerthSha), Executable,
        c => c.BinaryChanged = c.Facts.BerthSha is not null);

    /// <summary>.deploy/berth.yml: the apps and sites pointed at <c>current</c>; berth reads it only when it starts,
    /// so a new one means a restart (a reload re-imports the apps but keeps the config).</summary>
    public static UploadStep ServerConfig() => new("server config",
        c => (c.Inputs.ServerConfig, c.Inputs.ServerConfigSha, c.Layout.ServedConfig, c.Facts.ServerConfigSha), Readable,
        c => c.ConfigChanged = c.Facts.ServerConfigSha is not null);

    public string Name => name;

    public async Task<StepResult> DetectAndRunAsync(StepContext context, bool plan, CancellationToken cancellationToken)
    {
        (string local, string sha, string remote, string? remoteSha) = files(context);
        string what = context.Layout.FromRoot(remote);
        if (sha == remoteSha)
        {
            return Outcome.Ok($"its sha256 matches the host's {what}");
        }

        string why = remoteSha is null ? $"no {what} on the host yet" : $"sha256 {sha[..12]} differs from the host's {remoteSha[..Math.Min(12, remoteSha.Length)]}";
        if (!plan)
        {
            await context.Remote.UploadAsync(local, remote, mode, cancellationToken).ConfigureAwait(false);
        }

        onChange(context);

        return Outcome.Changed(plan, $"would upload {what}: {why}", $"uploaded {what}: {why}");
    }
}
