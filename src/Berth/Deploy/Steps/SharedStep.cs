using Berth.Config;

namespace Berth.Deploy.Steps;

/// <summary>
/// <c>shared:</c> paths (the SQLite file, uploads) and the env file, linked from the release into <c>shared/</c>, so
/// they survive every deploy. A file is only linked, never created: the app creates it through the link (the
/// SQLite file appears in shared/ the first time the app opens it), and a directory is made in shared/ once.
/// </summary>
public sealed class SharedStep : IDeployStep
{
    public string Name => "shared";

    public async Task<StepResult> DetectAndRunAsync(StepContext context, bool plan, CancellationToken cancellationToken)
    {
        var did = new List<string>();
        if (context.Deploy.EnvFile is { } envFile && context.Inputs.EnvSha != context.Facts.EnvSha)
        {
            string shared = context.Layout.FromRoot(context.Layout.SharedEnvFile);
            string why = context.Facts.EnvSha is null ? "none on the host yet" : $"it differs from {shared}";
            if (!plan)
            {
                await context.Remote.UploadAsync(envFile, context.Layout.SharedEnvFile, 0x180 /* 0600: it holds the app's secrets */, cancellationToken).ConfigureAwait(false);
            }

            context.EnvChanged = true;

            did.Add($"{(plan ? "would upload" : "uploaded")} {Path.GetFileName(envFile)} to {shared} ({why})");
        }

        IReadOnlyList<(string Path, string Target)> links = Links(context);
        if (context.NewRelease is { } release && links.Count > 0)
        {
            if (!plan)
            {
                await context.RunCheckedAsync(Link(context.Layout, release, LinkedPaths(context.Deploy)),
                    "linking the shared paths", "check the shared: paths (relative to the repository root)", cancellationToken).ConfigureAwait(false);
            }

            did.Add($"{(plan ? "would link" : "linked")} {string.Join(", ", links.Select(l => l.Path))} into releases/{release}");
        }

        return did.Count > 0 ? Outcome.Changed(string.Join("; ", did))
            : links.Count == 0 ? Outcome.Skipped("no shared: paths and no env_file:")
            : Outcome.Ok($"{string.Join(", ", links.Select(l => l.Path))} linked in the live release");
    }

    /// <summary>The paths of a release that are links into shared/: <c>shared:</c> as written (a directory ends
    /// with /), and the env file when there is one, which is <see cref="DeployPaths.SharedEnvFile"/> that way.</summary>
    public static IReadOnlyList<string> LinkedPaths(DeploySettings deploy) =>
        deploy.EnvFile is null ? deploy.Shared : [.. deploy.Shared, DeployPaths.EnvFileName];

    /// <summary>Each linked path (without a trailing /) and where its link points.</summary>
    public static IReadOnlyList<(string Path, string Target)> Links(StepContext context) =>
        LinkedPaths(context.Deploy).Select(s => s.TrimEnd('/')).Select(p => (p, $"{context.Layout.Shared}/{p}")).ToList();

    /// <summary>For each path: its directory (or, for a file, its parent) in shared/, then the link in the release,
    /// replacing whatever the repository had there.</summary>
    public static RemoteCommand Link(DeployPaths layout, string release, IReadOnlyList<string> paths)
    {
        const string script = """
            set -e
            S="$1"; R="$2"; shift 2
            for p in "$@"; do
              case "$p" in
                */) p="${p%/}"; mkdir -p "$S/$p" ;;
                *) mkdir -p "$(dirname "$S/$p")" ;;
              esac
              rm -rf "$R/$p"; mkdir -p "$(dirname "$R/$p")"; ln -sfn "$S/$p" "$R/$p"
            done
            """;
        return RemoteCommand.Of(["sh", "-c", script, "sh", layout.Shared, layout.Release(release), .. paths]);
    }
}
