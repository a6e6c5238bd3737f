namespace Berth.Dispatch;

/// <summary>
/// Hands each request of one app to the least-busy ready worker, or parks it in a bounded wait
/// queue when all are full. Overflow is refused at once (the caller answers 503 with Retry-After):
/// a queue that grows without bound only turns a burst into timeouts for everybody.
/// </summary>
public sealed class AppDispatcher<T> where T : class, IWorkerTarget
{
    private readonly object _queueLock = new();
    private readonly LinkedList<TaskCompletionSource<T?>> _waiters = new();
    private int _queueLimit;
    private T[] _workers = [];
    private int _rotor;
    private int _waiting;

    public AppDispatcher(int queueLimit) => _queueLimit = queueLimit;

    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>How many requests may wait; a lower limit turns away new arrivals only, never those already waiting.</summary>
    public int QueueLimit
    {
        get => Volatile.Read(ref _queueLimit);
        set => Volatile.Write(ref _queueLimit, value);
    }

    public IReadOnlyList<T> Workers => Volatile.Read(ref _workers);

    /// <summary>Result: a worker with a place reserved, or null when the queue is full.</summary>
    public ValueTask<T?> AcquireAsync(CancellationToken cancellationToken)
    {
        T? worker = LeastBusy.TryAcquire(Volatile.Read(ref _workers), ref _rotor);
        return worker is not null ? ValueTask.FromResult<T?>(worker) : WaitAsync(cancellationToken);
    }

    private async ValueTask<T?> WaitAsync(CancellationToken cancellationToken)
    {
        var waiter = new TaskCompletionSource<T?>(TaskCreationOptions.RunContinuationsAsynchronously);
        LinkedListNode<TaskCompletionSource<T?>> node;
        lock (_queueLock)
        {
            if (_waiters.Count >= _queueLimit)
            {
                return null;
            }

            node = _waiters.AddLast(waiter);
            _waiting = _waiters.Count;
            // A release may have happened between the failed scan and the enqueue: look again now
            // that the waiter is visible, so no place is ever left unused while a request waits.
            PumpLocked();
        }

        await using CancellationTokenRegistration registration = cancellationToken.Register(() =>
        {
            lock (_queueLock)
            {
                if (node.List is not null)
                {
                    _waiters.Remove(node);
                    _waiting = _waiters.Count;
                }
            }

            waiter.TrySetCanceled(cancellationToken);
        });

        return await waiter.Task;
    }

    /// <summary>Frees the place a request held; the next waiter, if any, gets a worker.</summary>
    public void Release(T worker)
    {
        Interlocked.Decrement(ref worker.InFlight);
        if (Volatile.Read(ref _waiting) > 0)
        {
            Pump();
        }
    }

    /// <summary>Replaces the set of workers that take requests (called by the supervisor only).</summary>
    public void Publish(T[] readyWorkers)
    {
        Volatile.Write(ref _workers, readyWorkers);
        Pump();
    }

    /// <summary>Fails every waiting request (the app is stopping).</summary>
    public void RejectWaiting()
    {
        lock (_queueLock)
        {
            foreach (TaskCompletionSource<T?> waiter in _waiters)
            {
                waiter.TrySetResult(null);
            }

            _waiters.Clear();
            _waiting = 0;
        }
    }

    private void Pump()
    {
        lock (_queueLock)
        {
            PumpLocked();
        }
    }

    private void PumpLocked()
    {
        while (_waiters.First is { } first)
        {
            T? worker = LeastBusy.TryAcquire(Volatile.Read(ref _workers), ref _rotor);
            if (worker is null)
            {
                return;
            }

            _waiters.RemoveFirst();
            _waiting = _waiters.Count;
            if (!first.Value.TrySetResult(worker))
            {
                Interlocked.Decrement(ref worker.InFlight); // the waiter was cancelled in the meantime
            }
        }
    }
}
