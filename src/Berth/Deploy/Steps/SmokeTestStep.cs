using Berth.Config;

namespace Berth.Deploy.Steps;

/// <summary>
/// Imports every app's module with the new release's venv, in its directory and with its environment, before
/// anything is switched: a release whose code does not import (a syntax error, a missing package) fails here
/// while the previous release keeps serving.
/// </summary>
public sealed class SmokeTestStep : IDeployStep
{
    public string Name => "smoke test";

    public async Task<StepResult> DetectAndRunAsync(StepContext context, bool plan, CancellationToken cancellationToken)
    {
        if (context.NewRelease is not { } release)
        {
            return Outcome.Skipped("no new release: the live one keeps serving");
        }

        string modules = string.Join(", ", context.Config.Apps.Select(a => ModuleOf(a.Module)));
        if (plan)
        {
            return Outcome.Changed($"would import {modules} in the new release");
        }

        foreach (AppConfig app in context.Config.Apps)
        {
            string directory = ReleaseDirectory(context, release, app);
            RemoteResult result = await context.RunAsync(Import(context.Layout, directory, context.Layout.ReleaseVenv(release), ModuleOf(app.Module)), cancellationToken).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                string previous = context.PreviousRelease is { } p ? $"releases/{p} keeps serving" : "nothing was serving yet";
                return Outcome.Failed($"app {app.Name}: import {ModuleOf(app.Module)} failed: {result.LastLine()} ({previous}); the traceback is in the output above and in {context.Layout.FromRoot(context.Layout.ReleaseLog(release))}");
            }
        }

        return Outcome.Ok($"imported {modules}");
    }

    public static string ModuleOf(string module) => module.Split(':')[0];

    /// <summary>Where the app's workers start in the release, as the served config has it (ServerConfigRenderer): its
    /// <c>chdir:</c> relative to berth.yml's directory, which is <see cref="DeploySettings.ConfigDirectoryInRepository"/>
    /// in the release.</summary>
    public static string ReleaseDirectory(StepContext context, string release, AppConfig app)
    {
        string root = context.Layout.Release(release);
        string configDirectory = context.Deploy.ConfigDirectoryInRepository is { Length: > 0 } inRepository
            ? $"{root}/{inRepository.Replace('\\', '/')}"
            : root;
        if (app.Chdir is null || context.Config.Path is null)
        {
            return configDirectory;
        }

        string relative = Path.GetRelativePath(Path.GetDirectoryName(Path.GetFullPath(context.Config.Path))!, app.Chdir);
        return relative == "." ? configDirectory : Path.IsPathRooted(relative) ? root : $"{configDirectory}/{relative}";
    }

    public static RemoteCommand Import(DeployPaths layout, string directory, string venv, string module)
    {
        const string script = """
            cd "$1" || exit 1
            if [ -f "$3" ]; then set -a; . "$3"; set +a; fi
            exec "$2/bin/python" -c 'import importlib, sys; sys.path.insert(0, "."); importlib.import_module(sys.argv[1])' "$4"
            """;
        return RemoteCommand.Of("sh", "-c", script, "sh", directory, venv, layout.SharedEnvFile, module);
    }
}
