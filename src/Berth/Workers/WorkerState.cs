namespace Berth.Workers;

public enum WorkerState
{
    /// <summary>Process started, app not imported yet; gets no requests.</summary>
    Booting,

    /// <summary>Sent READY; takes requests.</summary>
    Ready,

    /// <summary>Takes no new requests; finishes what it has, then exits.</summary>
    Draining,

    /// <summary>Process gone.</summary>
    Dead,
}
