namespace Berth.IntegrationTests;

/// <summary><c>berth check</c> on a berth.yml with deploy:: the section is validated, and so are the local files a
/// deploy will need, which <c>berth serve</c> never asks for.</summary>
public sealed class DeployCheckTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("berth-deploycheck").FullName;

    [Fact]
    public async Task Check_names_a_missing_env_file_at_its_line_then_says_where_it_deploys()
    {
        string config = Path.Combine(_dir, "berth.yml");
        await File.WriteAllTextAsync(config, "apps:\n  shop:\n    module: shop.wsgi:application\ndeploy:\n  hosts: [deploy@web1]\n  repository: git@github.com:me/shop.git\n  env_file: .env.production\n");

        (int missing, string missingOutput) = await BerthProcess.RunAsync("check", "--config", config);
        Assert.Equal(2, missing);
        Assert.Contains("berth.yml:7: deploy.env_file:", missingOutput, StringComparison.Ordinal);
        Assert.Contains(".gitignore", missingOutput, StringComparison.Ordinal);

        await File.WriteAllTextAsync(Path.Combine(_dir, ".env.production"), "DJANGO_SECRET_KEY=x\n");
        (int ok, string okOutput) = await BerthProcess.RunAsync("check", "--config", config);
        Assert.True(ok == 0, okOutput);
        Assert.Contains("deploy to 1 host(s) at /srv/shop", okOutput, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
