using Berth.Config;

namespace Berth.Tests.Config;

/// <summary>A scratch directory that berth.yml texts are parsed against, so relative paths and existence
/// checks see real files; removed when the test ends.</summary>
public sealed class ConfigFixture : IDisposable
{
    public ConfigFixture()
    {
        Root = Directory.CreateTempSubdirectory("berth-config-").FullName;
    }

    public string Root { get; }

    public string Dir(string relative) => Directory.CreateDirectory(Path.Combine(Root, relative)).FullName;

    public string File(string relative, string contents = "")
    {
        string path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, contents);
        return path;
    }

    /// <summary>A directory that looks like a virtualenv to berth: it has bin/python.</summary>
    public string Venv(string relative)
    {
        File(Path.Combine(relative, "bin", "python"));
        return Path.Combine(Root, relative);
    }

    public ConfigResult Parse(string yaml) => ConfigLoader.Parse(yaml, "berth.yml", Root);

    public BerthConfig Valid(string yaml)
    {
        ConfigResult result = Parse(yaml);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Config!;
    }

    /// <summary>The one error <paramref name="yaml"/> has, checked for its line and key.</summary>
    public ConfigError OneError(string yaml, int line, string key)
    {
        ConfigResult result = Parse(yaml);
        Assert.Null(result.Config);
        ConfigError error = Assert.Single(result.Errors);
        Assert.Equal(new SourceSpan("berth.yml", line), error.Source);
        Assert.Equal(key, error.Key);
        Assert.NotEmpty(error.Fix);
        return error;
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
