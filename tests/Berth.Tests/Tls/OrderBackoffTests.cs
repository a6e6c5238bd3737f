using Berth.Tls;

namespace Berth.Tests.Tls;

public sealed class OrderBackoffTests
{
    [Fact]
    public void Failures_wait_a_minute_then_double_up_to_six_hours()
    {
        OrderBackoff backoff = OrderBackoff.Initial;
        var waits = new List<TimeSpan>();
        for (int i = 0; i < 12; i++)
        {
            waits.Add(backoff.DelayFor(null));
            backoff = backoff.Next();
        }

        Assert.Equal(
            new[] { 1, 2, 4, 8, 16, 32, 64, 128, 256, 360, 360, 360 }.Select(m => TimeSpan.FromMinutes(m)),
            waits);
    }

    [Fact]
    public void A_retry_after_longer_than_the_backoff_is_honoured()
    {
        Assert.Equal(TimeSpan.FromHours(3), OrderBackoff.Initial.DelayFor(TimeSpan.FromHours(3)));
    }

    [Fact]
    public void A_retry_after_shorter_than_the_backoff_does_not_shorten_it()
    {
        var backoff = new OrderBackoff(TimeSpan.FromHours(2));
        Assert.Equal(TimeSpan.FromHours(2), backoff.DelayFor(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void A_retry_after_of_a_week_is_waited_a_day_at_a_time()
    {
        Assert.Equal(TimeSpan.FromDays(1), OrderBackoff.Initial.DelayFor(TimeSpan.FromDays(7)));
    }
}
