namespace Berth.IntegrationTests;

/// <summary>
/// What <c>berth deploy</c>'s switch and reload rely on: a served config whose chdir, venv and static directories
/// go through <c>current</c>. After <c>current</c> is re-pointed, a reload starts workers that import the new
/// release's code, and then serves the new release's static files; until then both stay the old release's.
/// </summary>
public sealed class ReleaseSwitchTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("berth-switch").FullName;

    [Fact]
    public async Task A_reload_after_the_switch_serves_the_new_release()
    {
        foreach (string version in new[] { "v1", "v2" })
        {
            string release = Directory.CreateDirectory(Path.Combine(_root, "releases", version)).FullName;
            await File.WriteAllTextAsync(Path.Combine(release, "app.py"),
                $"def application(environ, start_response):\n    start_response('200 OK', [('Content-Type', 'text/plain')])\n    return [b'{version}']\n");
            Directory.CreateDirectory(Path.Combine(release, "static"));
            await File.WriteAllTextAsync(Path.Combine(release, "static", "version.txt"), version);
        }

        string current = Path.Combine(_root, "current");
        Directory.CreateSymbolicLink(current, "releases/v1");
        Directory.CreateDirectory(Path.Combine(_root, ".deploy"));
        string config = Path.Combine(_root, ".deploy", "berth.yml");
        await File.WriteAllTextAsync(config, $$"""
            apps:
              app: { module: "app:application", python: "{{BerthProcess.SystemPython}}", chdir: "{{current}}", workers: 2 }
            sites:
              main: { listen: "127.0.0.1:8000", app: app, static: { /static/: "{{current}}/static" } }
            """);

        await using BerthProcess berth = await BerthProcess.StartAsync(["serve", "--config", config]);
        using HttpClient client = berth.CreateClient();
        Assert.Equal("v1", await client.GetStringAsync("/"));
        Assert.Equal("v1", await client.GetStringAsync("/static/version.txt"));

        // The switch as a deploy does it on the host: a new link under a temporary name, renamed over current with
        // mv -T (rename(2), atomic; .NET's File.Move will not rename onto a link to a directory).
        string next = Path.Combine(_root, "current.next");
        Directory.CreateSymbolicLink(next, "releases/v2");
        using (var mv = System.Diagnostics.Process.Start("mv", ["-T", next, current]))
        {
            await mv.WaitForExitAsync();
            Assert.Equal(0, mv.ExitCode);
        }

        // Until the reload, code and files both stay those of v1 (a page and its stylesheet of one release).
        Assert.Equal("v1", await client.GetStringAsync("/"));
        Assert.Equal("v1", await client.GetStringAsync("/static/version.txt"));
        (int code, string output) = await BerthProcess.RunAsync("reload", "--control", berth.ControlPath!);
        Assert.True(code == 0, output);
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal("v2", await client.GetStringAsync("/"));
        }

        Assert.Equal("v2", await client.GetStringAsync("/static/version.txt"));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
