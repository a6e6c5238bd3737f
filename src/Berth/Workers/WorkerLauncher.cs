using System.Diagnostics;
using Berth.Config;

namespace Berth.Workers;

/// <summary>Builds the command line and environment of a worker process for an app.</summary>
public sealed class WorkerLauncher
{
    private readonly AppConfig _app;
    private readonly string _shimPath;
    private readonly string _socketPath;

    public WorkerLauncher(AppConfig app, string shimPath, string socketPath)
    {
        _app = app;
        _shimPath = shimPath;
        _socketPath = socketPath;
        Python = ResolvePython(app);
    }

    public string Python { get; }

    /// <summary>The app's env_file: as read at its start or last reload (<see cref="AppSupervisor"/> reads it);
    /// <see cref="AppConfig.Environment"/> wins over it, as docker compose's environment: wins over env_file:.</summary>
    public IReadOnlyDictionary<string, string> FileEnvironment { get; init; } = new Dictionary<string, string>();

    public static string ResolvePython(AppConfig app) =>
        app.Python ?? (app.Venv is { } venv ? Path.Combine(venv, "bin", "python") : "python3");

    /// <param name="workerId">The worker's id; for a zygote, the zygote's own number.</param>
    /// <param name="zygote">Start a zygote that imports the app once and forks workers on SPAWN (<c>preload: true</c>).</param>
    public ProcessStartInfo CreateStartInfo(int workerId, bool zygote = false)
    {
        string directory = _app.Chdir ?? Directory.GetCurrentDirectory();
        var info = new ProcessStartInfo(Python)
        {
            WorkingDirectory = directory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
        };
        info.ArgumentList.Add(_shimPath);
        info.ArgumentList.Add("--connect");
        info.ArgumentList.Add(_socketPath);
        info.ArgumentList.Add("--app");
        info.ArgumentList.Add(_app.Module);
        info.ArgumentList.Add("--worker-id");
        info.ArgumentList.Add(workerId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        info.ArgumentList.Add("--threads");
        info.ArgumentList.Add(_app.Threads.ToString(System.Globalization.CultureInfo.InvariantCulture));
        info.ArgumentList.Add("--connections");
        info.ArgumentList.Add(_app.Connections.ToString(System.Globalization.CultureInfo.InvariantCulture));
        info.ArgumentList.Add("--interface");
        info.ArgumentList.Add(_app.Interface.ToString().ToLowerInvariant());
        info.ArgumentList.Add("--chdir");
        info.ArgumentList.Add(directory);
        if (zygote)
        {
            info.ArgumentList.Add("--zygote");
        }

        // Unbuffered, so print() in a view shows up in the log at once, as under gunicorn.
        info.Environment["PYTHONUNBUFFERED"] = "1";
        if (_app.Venv is { } venv)
        {
            info.Environment["VIRTUAL_ENV"] = venv;
            info.Environment["PATH"] = Path.Combine(venv, "bin") + ":" + System.Environment.GetEnvironmentVariable("PATH");
        }

        foreach (KeyValuePair<string, string> variable in FileEnvironment)
        {
            info.Environment[variable.Key] = variable.Value;
        }

        foreach (KeyValuePair<string, string> variable in _app.Environment)
        {
            info.Environment[variable.Key] = variable.Value;
        }

        return info;
    }
}
