using Berth.Config;

namespace Berth.Tests.Config.Validators;

public sealed class RecyclingValidatorTests : IDisposable
{
    private readonly ConfigFixture _files = new();

    [Theory]
    [InlineData("max_requests: -1", "apps.web.max_requests", "must be a whole number ≥ 0, got -1")]
    [InlineData("max_requests_jitter: -5", "apps.web.max_requests_jitter", "must be a whole number ≥ 0, got -5")]
    [InlineData("max_memory: 8M", "apps.web.max_memory", "must be 0 for never, or a size of at least 16M in whole megabytes, such as 512M or 2G (a bare number is bytes), got 8M")]
    public void Out_of_range_limits_name_their_own_line(string setting, string key, string message)
    {
        ConfigError error = _files.OneError($"apps:\n  web:\n    module: app\n    {setting}\n", line: 4, key);

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void A_requests_jitter_without_max_requests_says_to_set_it_or_drop_the_jitter()
    {
        ConfigError error = _files.OneError("apps:\n  web:\n    module: app\n    max_requests_jitter: 50\n", line: 4, key: "apps.web.max_requests_jitter");

        Assert.Equal(
            "berth.yml:4: apps.web.max_requests_jitter: is set without max_requests:, the limit it staggers, so it does nothing. " +
            "Fix: set max_requests: as well, or remove max_requests_jitter:.",
            error.ToString());
    }

    [Theory]
    [InlineData("max_lifetime_jitter: 5m")]
    [InlineData("max_lifetime_jitter: 5m\n    max_lifetime: 0")]
    public void A_lifetime_jitter_without_max_lifetime_is_refused_too(string settings)
    {
        ConfigError error = _files.OneError($"apps:\n  web:\n    module: app\n    {settings}\n", line: 4, key: "apps.web.max_lifetime_jitter");

        Assert.Equal("set max_lifetime: as well, or remove max_lifetime_jitter:", error.Fix);
    }

    [Fact]
    public void Limits_at_their_bounds_and_jitters_with_their_limits_are_fine()
    {
        AppConfig app = _files.Valid("""
            apps:
              web:
                module: app
                max_requests: 1
                max_requests_jitter: 0
                max_lifetime: 1s
                max_lifetime_jitter: 1s
                max_memory: 16M
            """).Apps[0];

        Assert.Equal((1, TimeSpan.FromSeconds(1), 16L), (app.MaxRequests, app.MaxLifetime, app.MaxMemoryMb));
    }

    public void Dispose() => _files.Dispose();
}
