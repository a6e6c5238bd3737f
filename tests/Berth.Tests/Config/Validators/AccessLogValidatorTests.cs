using Berth.Config;

namespace Berth.Tests.Config.Validators;

public sealed class AccessLogValidatorTests : IDisposable
{
    private readonly ConfigFixture _files = new();

    [Fact]
    public void The_log_directory_must_exist()
    {
        ConfigError error = _files.OneError("server:\n  access_log: logs/access.log\napps: { web: { module: app } }\n", line: 2, key: "server.access_log");

        Assert.Equal($"the directory {Path.Combine(_files.Root, "logs")} does not exist", error.Message);
    }

    [Theory]
    [InlineData("\"-\"", "-")]
    [InlineData("off", null)]
    [InlineData("access.log", "access.log")]
    public void Stdout_off_and_a_file_in_an_existing_directory_are_fine(string value, string? expected)
    {
        BerthConfig config = _files.Valid($"server:\n  access_log: {value}\napps: {{ web: {{ module: app }} }}\n");

        Assert.Equal(expected is null or "-" ? expected : Path.Combine(_files.Root, expected), config.Server.AccessLog);
    }

    public void Dispose() => _files.Dispose();
}
