using Berth.Config;

namespace Berth.Tests.Config.Validators;

public sealed class PoolSizeValidatorTests : IDisposable
{
    private readonly ConfigFixture _files = new();

    [Theory]
    [InlineData("workers: 0", "apps.web.workers", "must be a whole number from 1 to 1024, got 0")]
    [InlineData("workers: 1025", "apps.web.workers", "must be a whole number from 1 to 1024, got 1025")]
    [InlineData("threads: 0", "apps.web.threads", "must be a whole number from 1 to 1024, got 0")]
    [InlineData("threads: 5000", "apps.web.threads", "must be a whole number from 1 to 1024, got 5000")]
    [InlineData("queue: -1", "apps.web.queue", "must be a whole number ≥ 0, got -1")]
    public void Out_of_range_counts_name_their_own_line(string setting, string key, string message)
    {
        ConfigError error = _files.OneError($"apps:\n  web:\n    module: app\n\n    {setting}\n", line: 5, key);

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void The_bounds_themselves_are_fine()
    {
        BerthConfig config = _files.Valid("apps:\n  web: { module: app, workers: 1024, threads: 1, queue: 0 }\n");

        Assert.Equal((1024, 1, 0), (config.Apps[0].Workers, config.Apps[0].Threads, config.Apps[0].QueueSize));
    }

    public void Dispose() => _files.Dispose();
}
