using Berth.Config;

namespace Berth.Tests.Config.Validators;

public sealed class TimeoutValidatorTests : IDisposable
{
    private readonly ConfigFixture _files = new();

    [Theory]
    [InlineData("0", "0s")]
    [InlineData("500ms", "500ms")]
    public void A_timeout_under_a_second_is_refused_on_its_line(string timeout, string got)
    {
        ConfigError error = _files.OneError($"apps:\n  web:\n    module: app\n    timeout: {timeout}\n", line: 4, key: "apps.web.timeout");

        Assert.Equal($"must be a duration of at least 1s, such as 30, 30s or 2m (a bare number is seconds), got {got}", error.Message);
        Assert.Contains("gunicorn's 0 for \"never\" is not offered", error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void One_second_is_enough()
    {
        Assert.Equal(TimeSpan.FromSeconds(1), _files.Valid("apps:\n  web: { module: app, timeout: 1 }\n").Apps[0].Timeout);
    }

    public void Dispose() => _files.Dispose();
}
