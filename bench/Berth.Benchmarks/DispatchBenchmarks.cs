using BenchmarkDotNet.Attributes;
using Berth.Dispatch;

namespace Berth.Benchmarks;

/// <summary>Picking a worker and giving its place back: done twice per proxied request.</summary>
[MemoryDiagnoser]
public class DispatchBenchmarks
{
    private Target[] _workers = [];
    private AppDispatcher<Target> _dispatcher = new(100);
    private int _rotor;

    /// <summary>2 is the bench's worker count; 8 what a 4-core box runs with gunicorn's 2n formula.</summary>
    [Params(2, 8)]
    public int Workers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _workers = Enumerable.Range(0, Workers).Select(_ => new Target(capacity: 1)).ToArray();
        _dispatcher = new AppDispatcher<Target>(queueLimit: 100);
        _dispatcher.Publish(_workers);
    }

    [Benchmark(Description = "LeastBusy.TryAcquire + release")]
    public Target? TryAcquire()
    {
        Target? worker = LeastBusy.TryAcquire(_workers, ref _rotor);
        if (worker is not null)
        {
            Interlocked.Decrement(ref worker.InFlight);
        }

        return worker;
    }

    [Benchmark(Description = "AppDispatcher.AcquireAsync + Release")]
    public async ValueTask<Target?> AcquireRelease()
    {
        Target? worker = await _dispatcher.AcquireAsync(CancellationToken.None);
        if (worker is not null)
        {
            _dispatcher.Release(worker);
        }

        return worker;
    }

    public sealed class Target(int capacity) : IWorkerTarget
    {
        private int _inFlight;

        public int Capacity { get; } = capacity;

        public ref int InFlight => ref _inFlight;

        public bool Accepting => true;
    }
}
