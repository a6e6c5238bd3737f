using Berth.Dispatch;

namespace Berth.Tests.Dispatch;

public sealed class LeastBusyTests
{
    private sealed class FakeWorker(string name, int capacity) : IWorkerTarget
    {
        private int _inFlight;

        public string Name { get; } = name;

        public int Capacity { get; } = capacity;

        public ref int InFlight => ref _inFlight;

        public bool Accepting { get; set; } = true;
    }

    [Fact]
    public void Never_picks_a_busy_worker_while_another_is_idle()
    {
        var a = new FakeWorker("a", 1);
        var b = new FakeWorker("b", 1);
        FakeWorker[] workers = [a, b];
        int rotor = 0;

        FakeWorker? first = LeastBusy.TryAcquire(workers, ref rotor);
        FakeWorker? second = LeastBusy.TryAcquire(workers, ref rotor);

        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.NotSame(first, second);
        Assert.Null(LeastBusy.TryAcquire(workers, ref rotor));
    }

    [Fact]
    public void Ties_rotate_so_idle_workers_share_sequential_requests()
    {
        FakeWorker[] workers = [new("a", 1), new("b", 1), new("c", 1)];
        int rotor = 0;
        var seen = new HashSet<string>();
        for (int i = 0; i < 3; i++)
        {
            FakeWorker? w = LeastBusy.TryAcquire(workers, ref rotor);
            Assert.NotNull(w);
            seen.Add(w.Name);
            Interlocked.Decrement(ref w.InFlight); // request done before the next one comes
        }

        Assert.Equal(3, seen.Count);
    }

    [Fact]
    public void Load_is_measured_against_capacity()
    {
        var threaded = new FakeWorker("threaded", 4);
        var single = new FakeWorker("single", 1);
        threaded.InFlight = 1; // 1/4 busy
        int rotor = 0;

        FakeWorker? picked = LeastBusy.TryAcquire(new[] { single, threaded }, ref rotor);

        Assert.Same(single, picked); // 0/1 is less busy than 1/4
        Assert.Same(threaded, LeastBusy.TryAcquire(new[] { single, threaded }, ref rotor));
    }

    [Fact]
    public void A_retired_worker_gets_nothing_even_from_a_stale_snapshot()
    {
        var retiring = new FakeWorker("old", 4) { Accepting = false };
        var fresh = new FakeWorker("new", 1);
        int rotor = 0;

        Assert.Null(LeastBusy.TryAcquire(new[] { retiring }, ref rotor));
        Assert.Same(fresh, LeastBusy.TryAcquire(new[] { retiring, fresh }, ref rotor));
        Assert.Equal(0, retiring.InFlight);
    }

    [Fact]
    public async Task Queue_holds_requests_until_a_place_frees_and_refuses_past_its_limit()
    {
        var worker = new FakeWorker("w", 1);
        var dispatcher = new AppDispatcher<FakeWorker>(queueLimit: 2);
        dispatcher.Publish([worker]);

        FakeWorker? holder = await dispatcher.AcquireAsync(CancellationToken.None);
        ValueTask<FakeWorker?> waiting1 = dispatcher.AcquireAsync(CancellationToken.None);
        ValueTask<FakeWorker?> waiting2 = dispatcher.AcquireAsync(CancellationToken.None);
        FakeWorker? overflow = await dispatcher.AcquireAsync(CancellationToken.None);

        Assert.Same(worker, holder);
        Assert.Null(overflow);
        Assert.False(waiting1.IsCompleted);

        dispatcher.Release(worker);
        Assert.Same(worker, await waiting1);
        Assert.False(waiting2.IsCompleted);
        dispatcher.Release(worker);
        Assert.Same(worker, await waiting2);
        dispatcher.Release(worker);
        Assert.Equal(0, worker.InFlight);
    }

    [Fact]
    public async Task A_cancelled_waiter_leaves_the_queue_and_takes_no_place()
    {
        var worker = new FakeWorker("w", 1);
        var dispatcher = new AppDispatcher<FakeWorker>(queueLimit: 10);
        dispatcher.Publish([worker]);
        await dispatcher.AcquireAsync(CancellationToken.None);

        using var cancel = new CancellationTokenSource();
        ValueTask<FakeWorker?> waiting = dispatcher.AcquireAsync(cancel.Token);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await waiting);
        Assert.Equal(0, dispatcher.Waiting);

        dispatcher.Release(worker);
        Assert.Equal(0, worker.InFlight);
    }

    [Fact]
    public async Task Waiters_are_served_when_workers_become_ready()
    {
        var dispatcher = new AppDispatcher<FakeWorker>(queueLimit: 10);
        ValueTask<FakeWorker?> waiting = dispatcher.AcquireAsync(CancellationToken.None);
        Assert.False(waiting.IsCompleted);

        var worker = new FakeWorker("late", 1);
        dispatcher.Publish([worker]);

        Assert.Same(worker, await waiting);
    }

    [Fact]
    public async Task Concurrent_acquires_never_exceed_capacity()
    {
        FakeWorker[] workers = [new("a", 2), new("b", 3)];
        var dispatcher = new AppDispatcher<FakeWorker>(queueLimit: 1000);
        dispatcher.Publish(workers);
        int maxSeen = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, 2000), async (_, ct) =>
        {
            FakeWorker? w = await dispatcher.AcquireAsync(ct);
            Assert.NotNull(w);
            int now = Volatile.Read(ref w.InFlight);
            Assert.True(now <= w.Capacity, $"{w.Name} had {now} in flight, capacity {w.Capacity}");
            InterlockedMax(ref maxSeen, now);
            await Task.Yield();
            dispatcher.Release(w);
        });

        Assert.All(workers, w => Assert.Equal(0, w.InFlight));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
