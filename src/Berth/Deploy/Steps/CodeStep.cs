namespace Berth.Deploy.Steps;

/// <summary>
/// The commit as a new <c>releases/&lt;utc&gt;-&lt;sha7&gt;/</c>: the host's git mirror is updated (cloned the first
/// time) and the commit is extracted with <c>git archive | tar</c>, so a release is a plain directory that nobody
/// checks out or changes afterwards. A host that cannot reach the repository (or <c>upload_code: true</c>) gets
/// an archive made on this machine instead. When the live release already is the commit, with its venv and
/// shared links as wanted, no release is made: that is the no-op re-run.
/// </summary>
public sealed class CodeStep : IDeployStep
{
    /// <summary>The checkout script's exit code when the host could not clone or fetch the repository.</summary>
    public const int Unreachable = 5;

    private const string RequirementsPrefix = "requirements=";

    public string Name => "code";

    public async Task<StepResult> DetectAndRunAsync(StepContext context, bool plan, CancellationToken cancellationToken)
    {
        string sha = context.Inputs.Revision;
        string target = $"{ReleaseId.ShortRevision(sha)} ({context.Inputs.RevisionLabel})";
        if (WhyNewRelease(context) is not { } why)
        {
            return Outcome.Ok($"the live release {context.PreviousRelease} already is {target}");
        }

        string id = context.Inputs.ReleaseId;
        context.NewRelease = id;
        if (plan)
        {
            if (context.Facts.HasMirror)
            {
                RemoteResult shown = await context.RunAsync(ShowRequirements(context.Layout, sha, context.Deploy.Requirements), cancellationToken, quiet: true).ConfigureAwait(false);
                ReadRequirements(context, shown);
            }

            return Outcome.Changed($"would check out {target} as releases/{id}: {why}");
        }

        context.ReleaseCreated = true;
        string how;
        RemoteResult result;
        if (context.Deploy.UploadCode)
        {
            result = await UploadAsync(context, id, cancellationToken).ConfigureAwait(false);
            how = "uploaded as an archive (upload_code: true)";
        }
        else
        {
            result = await context.RunAsync(FetchAndCheckout(context.Layout, context.Deploy.Repository, sha, id, context.Deploy.Requirements), cancellationToken, quiet: true).ConfigureAwait(false);
            how = "from the host's git mirror";
            if (result.ExitCode == Unreachable)
            {
                string cause = result.LastLine();
                result = await UploadAsync(context, id, cancellationToken).ConfigureAwait(false);
                how = $"uploaded as an archive: the host cannot fetch {context.Deploy.Repository} ({cause})";
            }
        }

        if (!result.Succeeded)
        {
            throw new DeployException($"checking out {target} failed: {result.LastLine()}",
                "check the output above; the host needs git and tar, and space under " + context.Layout.Releases);
        }

        ReadRequirements(context, result);
        return Outcome.Changed($"checked out {target} as releases/{id}, {how}: {why}");
    }

    /// <summary>Why the live release will not do, or null when it is the target with everything in place.</summary>
    public static string? WhyNewRelease(StepContext context)
    {
        HostFacts facts = context.Facts;
        if (facts.CurrentRelease is null)
        {
            return "first release on this host";
        }

        if (facts.CurrentRevision != context.Inputs.Revision)
        {
            return facts.CurrentRevision is null
                ? $"the live release {facts.CurrentRelease} has no REVISION file"
                : $"the live release is {ReleaseId.ShortRevision(facts.CurrentRevision)}";
        }

        string hash = VenvHash.Compute(facts.CurrentRequirements, facts.PythonVersion, context.Deploy.PipArguments, context.Deploy.VenvSystemSitePackages);
        string? liveVenv = DeployPaths.TargetName(facts.CurrentVenvTarget);
        if (liveVenv != hash)
        {
            return $"the live release's venv {liveVenv ?? "(none)"} was built for another Python or pip: ({facts.PythonVersion.Trim()} now gives {hash})";
        }

        if (!facts.CompleteVenvs.Contains(hash))
        {
            return $"the live release's venv {hash} is incomplete";
        }

        foreach ((string path, string want) in SharedStep.Links(context))
        {
            if (facts.SharedLinks.GetValueOrDefault(path) != want)
            {
                return $"{path} is not linked to shared/ in the live release";
            }
        }

        return null;
    }

    /// <summary>
    /// Clones the mirror the first time, fetches only when the commit is not there yet, extracts the commit into
    /// the release and writes REVISION; prints the requirements file base64-encoded for the venv step.
    /// </summary>
    public static RemoteCommand FetchAndCheckout(DeployPaths layout, string repository, string sha, string id, string requirements)
    {
        string script = $$"""
            M="$2"
            if [ ! -f "$M/HEAD" ]; then rm -rf "$M"; git clone --mirror --quiet "$1" "$M" || exit {{Unreachable}}; fi
            git --git-dir="$M" cat-file -e "$3^{commit}" 2>/dev/null || git --git-dir="$M" fetch --prune --quiet || exit {{Unreachable}}
            git --git-dir="$M" cat-file -e "$3^{commit}" || { echo "commit $3 is not in $1 (fetched into $M)" >&2; exit 6; }
            rm -rf "$R" && mkdir -p "$R" && git --git-dir="$M" archive "$3" | tar -x -C "$R" || exit 7
            """ + "\n" + Finish;
        return Checkout(script, layout, repository, layout.Repo, sha, id, requirements);
    }

    /// <summary>Extracts an uploaded <c>git archive</c> into the release.</summary>
    public static RemoteCommand ExtractUpload(DeployPaths layout, string tarPath, string sha, string id, string requirements)
    {
        string script = """
            rm -rf "$R" && mkdir -p "$R" && tar -x -C "$R" -f "$1" || exit 7
            rm -f "$1"
            """ + "\n" + Finish;
        return Checkout(script, layout, tarPath, "", sha, id, requirements);
    }

    /// <summary>The requirements of a commit the mirror already has, for --plan.</summary>
    public static RemoteCommand ShowRequirements(DeployPaths layout, string sha, string requirements) =>
        RemoteCommand.Of("sh", "-c", $"git --git-dir=\"$1\" cat-file -e \"$2^{{commit}}\" 2>/dev/null || exit 0; printf '{RequirementsPrefix}'; git --git-dir=\"$1\" show \"$2:$3\" 2>/dev/null | base64 -w0; echo",
            "sh", layout.Repo, sha, requirements);

    // The checkout scripts' arguments: $1 where the code comes from (the repository, or the uploaded archive), $2 the
    // host's mirror (none for an archive), $3 the commit; then the release's directory, its REVISION file and its
    // requirements file, as R, REV and REQ.
    private static RemoteCommand Checkout(string script, DeployPaths layout, string source, string mirror, string sha, string id, string requirements) =>
        RemoteCommand.Of("sh", "-c", "R=\"$4\"; REV=\"$5\"; REQ=\"$4/$6\"\n" + script, "sh", source, mirror, sha, layout.Release(id), layout.RevisionFile(id), requirements);

    // REVISION last: a release without it was never finished.
    private const string Finish = """
        printf '%s\n' "$3" > "$REV"
        printf 'requirements='; [ -f "$REQ" ] && base64 -w0 "$REQ"; echo
        """;

    private static async Task<RemoteResult> UploadAsync(StepContext context, string id, CancellationToken cancellationToken)
    {
        string tar = Path.Combine(Path.GetTempPath(), $"berth-{id}-{Environment.ProcessId}.tar");
        try
        {
            await LocalGit.ArchiveAsync(context.Deploy.Repository, context.Inputs.Revision, tar, cancellationToken).ConfigureAwait(false);
            string remote = context.Layout.Staged($"upload-{id}.tar");
            await context.Remote.UploadAsync(tar, remote, 0x180 /* 0600 */, cancellationToken).ConfigureAwait(false);
            return await context.RunAsync(ExtractUpload(context.Layout, remote, context.Inputs.Revision, id, context.Deploy.Requirements), cancellationToken, quiet: true).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(tar);
        }
    }

    private static void ReadRequirements(StepContext context, RemoteResult result)
    {
        string? line = result.Stdout.Split('\n').LastOrDefault(l => l.StartsWith(RequirementsPrefix, StringComparison.Ordinal));
        if (line is null)
        {
            return;
        }

        string encoded = line[RequirementsPrefix.Length..].Trim();
        context.RequirementsKnown = true;
        context.Requirements = encoded.Length == 0 ? null : Convert.FromBase64String(encoded);
    }
}
