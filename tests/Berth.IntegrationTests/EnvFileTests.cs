namespace Berth.IntegrationTests;

/// <summary>
/// An app's <c>env_file:</c> with real workers: a Django user's .env reaches os.environ, <c>env:</c> wins over it,
/// a reload reads it again (a deploy uploads a new shared/.env, then reloads), and a reload that finds it gone
/// changes nothing.
/// </summary>
public sealed class EnvFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("berth-envfile").FullName;

    [Fact]
    public async Task The_env_file_reaches_the_workers_and_a_reload_reads_it_again()
    {
        await File.WriteAllTextAsync(Path.Combine(_dir, "envapp.py"), """
            import os

            def application(environ, start_response):
                start_response('200 OK', [('Content-Type', 'text/plain')])
                return [('%s|%s' % (os.environ.get('GREETING'), os.environ.get('OVERRIDDEN'))).encode()]
            """);
        string envFile = Path.Combine(_dir, ".env");
        await File.WriteAllTextAsync(envFile, "# secrets\nGREETING=\"hello there\"\nOVERRIDDEN=from-file\n");
        string config = Path.Combine(_dir, "berth.yml");
        await File.WriteAllTextAsync(config, $$"""
            apps:
              envapp:
                module: envapp:application
                python: {{BerthProcess.SystemPython}}
                workers: 1
                env_file: .env
                env: { OVERRIDDEN: from-env }
            """);

        await using BerthProcess berth = await BerthProcess.StartAsync(["serve", "--config", config]);
        using HttpClient client = berth.CreateClient();
        Assert.Equal("hello there|from-env", await client.GetStringAsync("/"));

        await File.WriteAllTextAsync(envFile, "GREETING=bonjour\n");
        (int code, string output) = await BerthProcess.RunAsync("reload", "--control", berth.ControlPath!);
        Assert.True(code == 0, output);
        Assert.Equal("bonjour|from-env", await client.GetStringAsync("/"));

        File.Delete(envFile);
        (int goneCode, string goneOutput) = await BerthProcess.RunAsync("reload", "--control", berth.ControlPath!);
        Assert.NotEqual(0, goneCode);
        Assert.Contains($"env file {envFile} does not exist", goneOutput, StringComparison.Ordinal);
        Assert.Contains("keep serving", goneOutput, StringComparison.Ordinal);
        Assert.Equal("bonjour|from-env", await client.GetStringAsync("/"));
    }

    [Fact]
    public async Task A_missing_env_file_stops_serve_before_it_starts_with_the_file_named()
    {
        string config = Path.Combine(_dir, "berth.yml");
        await File.WriteAllTextAsync(config, $"apps:\n  web:\n    module: envapp:application\n    python: {BerthProcess.SystemPython}\n    env_file: .env\n");

        (int code, string output) = await BerthProcess.RunAsync("serve", "--config", config, "-b", $"127.0.0.1:{BerthProcess.FreePort()}");

        Assert.Equal(2, code);
        Assert.Contains("apps.web.env_file:", output, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_dir, ".env"), output, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
