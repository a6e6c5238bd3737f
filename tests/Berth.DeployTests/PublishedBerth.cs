namespace Berth.DeployTests;

/// <summary>
/// berth published as the one self-contained file that deploys upload to the hosts (docs/deploy.md, section 1),
/// made once per test run: what users run, not the build output's framework-dependent berth.dll.
/// </summary>
public sealed class PublishedBerth : IAsyncLifetime
{
    private readonly DirectoryInfo _output = Directory.CreateTempSubdirectory("berth-dt-publish-");

    public string Binary => Path.Combine(_output.FullName, "berth");

    public static string RepositoryRoot
    {
        get
        {
            for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
            {
                if (File.Exists(Path.Combine(d.FullName, "Berth.slnx")))
                {
                    return d.FullName;
                }
            }

            throw new InvalidOperationException($"Berth.slnx is not above {AppContext.BaseDirectory}");
        }
    }

    public async Task InitializeAsync()
    {
        await HostProcess.CheckAsync("dotnet",
            ["publish", Path.Combine(RepositoryRoot, "src", "Berth"), "-c", "Release", "-r", "linux-x64", "--self-contained",
             "-p:PublishSingleFile=true", "-nologo", "-v", "q", "-o", _output.FullName],
            TimeSpan.FromMinutes(10));
    }

    public Task DisposeAsync()
    {
        _output.Delete(recursive: true);
        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class DeployCollection : ICollectionFixture<PublishedBerth>
{
    public const string Name = "deploy";
}
