// TEMPORARY: the agreed signatures of the pieces that deploy-ssh and deploy-config build in their branches,
// so this branch builds until they are merged into main. Deleted by the merge of main (see the commit).
using Berth.Config;

namespace Berth.Deploy.Ssh
{
    public sealed class SshHost : IRemoteHost
    {
        public DeployHost Host => throw new NotImplementedException();

        public static Task<SshHost> ConnectAsync(DeployHost host, SshSettings ssh, CancellationToken ct) => throw new NotImplementedException();

        public Task<RemoteResult> RunAsync(RemoteCommand command, Action<string>? onOutputLine, CancellationToken cancellationToken) => throw new NotImplementedException();

        public Task UploadAsync(string localPath, string remotePath, int mode, CancellationToken cancellationToken) => throw new NotImplementedException();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

namespace Berth.Deploy
{
    public sealed record ReleaseRecord(string Id, string Revision, ReleaseStatus Status, string DeployedBy, string From,
        DateTimeOffset StartedAt, TimeSpan Duration, string? VenvHash, string? FailedStep, string? Error);

    public enum ReleaseStatus { Ok, Failed, RolledBack }

    public static class ReleaseHistory
    {
        public static string ToJsonLine(ReleaseRecord r) => throw new NotImplementedException();

        public static IReadOnlyList<ReleaseRecord> Parse(string jsonl) => throw new NotImplementedException();

        public static IReadOnlyList<string> ToRemove(IReadOnlyList<string> releaseDirsOnHost, IReadOnlyList<ReleaseRecord> history, string? currentId, int keep) => throw new NotImplementedException();
    }

    public static class ReleaseId
    {
        public static string New(DateTimeOffset utcNow, string revision) => throw new NotImplementedException();
    }

    public static class ServerConfigRenderer
    {
        public static string Render(BerthConfig config, DeploySettings deploy) => throw new NotImplementedException();
    }

    public static class SystemdUnit
    {
        public static string Render(string appName, DeploySettings deploy, string serviceUser) => throw new NotImplementedException();
    }
}
