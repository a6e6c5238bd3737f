namespace Berth.Dispatch;

/// <summary>
/// Picks the worker with the lowest in-flight ÷ capacity that still has room, and reserves a place
/// on it. Ties rotate, so idle workers share the load instead of the first one taking everything —
/// the kernel's accept() balancing that gunicorn and uWSGI rely on favours whichever process is awake.
/// </summary>
public static class LeastBusy
{
    public static T? TryAcquire<T>(T[] workers, ref int rotor) where T : class, IWorkerTarget
    {
        int count = workers.Length;
        if (count == 0)
        {
            return null;
        }

        // A CAS can lose to another request taking the same place; retrying with a fresh scan is
        // cheaper than a lock, and gives up only when every worker is full.
        for (int attempt = 0; attempt < 4; attempt++)
        {
            int start = (int)((uint)Interlocked.Increment(ref rotor) % (uint)count);
            T? best = null;
            int bestLoad = 0;
            int bestCapacity = 1;
            for (int i = 0; i < count; i++)
            {
                T candidate = workers[(start + i) % count];
                int load = Volatile.Read(ref candidate.InFlight);
                int capacity = candidate.Capacity;
                if (load >= capacity || !candidate.Accepting)
                {
                    continue;
                }

                // load/capacity < bestLoad/bestCapacity without division
                if (best is null || (long)load * bestCapacity < (long)bestLoad * capacity)
                {
                    best = candidate;
                    bestLoad = load;
                    bestCapacity = capacity;
                }
            }

            if (best is null)
            {
                return null;
            }

            if (Interlocked.CompareExchange(ref best.InFlight, bestLoad + 1, bestLoad) == bestLoad)
            {
                if (best.Accepting)
                {
                    return best;
                }

                Interlocked.Decrement(ref best.InFlight); // retired between the scan and the reservation
            }
        }

        return null;
    }
}
