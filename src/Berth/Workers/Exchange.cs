using System.IO.Pipelines;

namespace Berth.Workers;

/// <summary>
/// One request in flight on a worker connection. The connection's reader copies the worker's
/// response frames, whole, into <see cref="Response"/>; the edge reads them from there at the
/// client's pace. Exchanges are pooled per connection: the pipe is reset and reused once both the
/// edge (done with the client) and the reader (saw RESPONSE_END or lost the worker) let go.
/// </summary>
public sealed class Exchange : IDisposable
{
    // Backpressure: the reader stops copying for this request once this much is unread; the worker
    // then blocks in sendall, which is what slows a streaming app down to its client's pace.
    private static readonly PipeOptions Options = new(pauseWriterThreshold: 1024 * 1024, resumeWriterThreshold: 512 * 1024, useSynchronizationContext: false);

    private readonly Pipe _pipe = new(Options);
    private int _holders;
    private CancellationTokenSource _deadline = new();

    public uint RequestId { get; private set; }

    public PipeReader Response => _pipe.Reader;

    /// <summary>Cancels a read of <see cref="Response"/> when the worker stays silent past the app's timeout;
    /// pooled with the exchange, so a request costs no new timer object.</summary>
    public CancellationTokenSource Deadline => _deadline;

    internal PipeWriter Sink => _pipe.Writer;

    internal WorkerConnection? Owner { get; private set; }

    internal void Start(WorkerConnection owner, uint requestId)
    {
        Owner = owner;
        RequestId = requestId;
        _holders = 2;
    }

    /// <summary>Called once by each of the two holders; the last one returns the exchange to its pool.</summary>
    internal bool LetGo()
    {
        if (Interlocked.Decrement(ref _holders) != 0)
        {
            return false;
        }

        _pipe.Reset();
        if (!_deadline.TryReset())
        {
            _deadline.Dispose();
            _deadline = new CancellationTokenSource();
        }

        Owner = null;
        return true;
    }

    /// <summary>The edge is done with the client: stop taking frames, and give the exchange back when the worker is done too.</summary>
    public void Complete()
    {
        _pipe.Reader.Complete();
        Owner?.Release(this);
    }

    public void Dispose() => _deadline.Dispose();
}
