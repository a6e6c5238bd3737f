namespace Berth.Deploy.Steps;

/// <summary>The service user and the directories of the layout, owned by the ssh user that deploys into them.</summary>
public sealed class DirectoriesStep : IDeployStep
{
    public string Name => "user and directories";

    public async Task<StepResult> DetectAndRunAsync(StepContext context, bool plan, CancellationToken cancellationToken)
    {
        DeployPaths l = context.Layout;
        IReadOnlyList<string> wanted = l.Directories;
        string[] wrong = wanted.Where(d => context.Facts.Directories.GetValueOrDefault(d) != context.Host.User).ToArray();
        bool needUser = !context.Facts.ServiceUserExists;
        if (wrong.Length == 0 && !needUser)
        {
            return Outcome.Ok($"{wanted.Count} directories exist, owned by {context.Host.User}");
        }

        var why = new List<string>();
        if (needUser)
        {
            why.Add($"user {context.ServiceUser} is missing");
        }

        string[] missing = wrong.Where(d => !context.Facts.Directories.ContainsKey(d)).ToArray();
        string[] misowned = wrong.Except(missing).ToArray();
        if (missing.Length > 0)
        {
            why.Add($"{string.Join(", ", missing.Select(d => Relative(l, d)))} missing");
        }

        if (misowned.Length > 0)
        {
            why.Add($"{string.Join(", ", misowned.Select(d => Relative(l, d)))} not owned by {context.Host.User}");
        }

        string reason = string.Join("; ", why);
        if (plan)
        {
            return Outcome.Changed($"would create: {reason}");
        }

        if (needUser)
        {
            await context.RunCheckedAsync(CreateUser(context, context.ServiceUser), $"creating user {context.ServiceUser}",
                $"create it by hand (adduser --system {context.ServiceUser}) or set deploy.user: to an existing user", cancellationToken).ConfigureAwait(false);
        }

        await context.RunCheckedAsync(MakeDirectories(context, wanted), $"creating {l.Root}",
            $"check that {context.Host.User} may run sudo without a password, or create {l.Root} owned by {context.Host.User}", cancellationToken).ConfigureAwait(false);
        return Outcome.Changed($"created: {reason}");
    }

    public static RemoteCommand CreateUser(StepContext context, string user) =>
        context.Privileged("useradd", "--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin", user);

    /// <summary><c>install -d</c> creates what is missing and sets the owner of what exists.</summary>
    public static RemoteCommand MakeDirectories(StepContext context, IReadOnlyList<string> directories) =>
        context.Privileged(["install", "-d", "-o", context.Host.User, .. directories]);

    private static string Relative(DeployPaths l, string directory) =>
        directory == l.Root ? l.Root : l.FromRoot(directory) + "/";
}
