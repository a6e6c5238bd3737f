using System.Buffers;

namespace Berth.Edge;

/// <summary>
/// A request body read in full before the request is dispatched, so a slow upload holds a socket
/// in the edge and never a Python worker (nginx's proxy_request_buffering). Small bodies stay in a
/// pooled array; past <see cref="MemoryThreshold"/> they spill to an unlinked temp file.
/// </summary>
public sealed class BufferedBody : IAsyncDisposable
{
    // nginx keeps client bodies up to client_body_buffer_size (16 KiB) in memory; we allow more
    // because a form post of a few hundred KiB is common and a temp file costs several syscalls.
    public const int MemoryThreshold = 1024 * 1024;

    private byte[]? _memory;
    private FileStream? _file;

    public static readonly BufferedBody Empty = new();

    public long Length { get; private set; }

    /// <summary>Reads the whole body. Throws <see cref="BodyTooLargeException"/> past <paramref name="limit"/>.</summary>
    public static async ValueTask<BufferedBody> ReadAsync(Stream body, long? declaredLength, long limit, string spoolDirectory, CancellationToken cancellationToken)
    {
        if (declaredLength is > 0 && declaredLength > limit)
        {
            throw new BodyTooLargeException(limit);
        }

        var buffered = new BufferedBody();
        int initial = declaredLength is { } known ? (int)Math.Min(known, MemoryThreshold) : 16 * 1024;
        byte[] memory = ArrayPool<byte>.Shared.Rent(Math.Max(initial, 4096));
        int filled = 0;
        try
        {
            while (true)
            {
                if (filled == memory.Length)
                {
                    if (memory.Length >= MemoryThreshold)
                    {
                        break;
                    }

                    byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Min(memory.Length * 2, MemoryThreshold));
                    memory.AsSpan(0, filled).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(memory);
                    memory = larger;
                }

                int read = await body.ReadAsync(memory.AsMemory(filled), cancellationToken);
                if (read == 0)
                {
                    buffered._memory = memory;
                    buffered.Length = filled;
                    return buffered;
                }

                filled += read;
                if (filled > limit)
                {
                    throw new BodyTooLargeException(limit);
                }
            }

            // Spill: everything so far goes to the file, the rest streams after it.
            buffered._file = new FileStream(Path.Combine(spoolDirectory, Path.GetRandomFileName()), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 64 * 1024, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
            await buffered._file.WriteAsync(memory.AsMemory(0, filled), cancellationToken);
            long total = filled;
            while (true)
            {
                int read = await body.ReadAsync(memory, cancellationToken);
                if (read == 0)
                {
                    break;
                }

                total += read;
                if (total > limit)
                {
                    throw new BodyTooLargeException(limit);
                }

                await buffered._file.WriteAsync(memory.AsMemory(0, read), cancellationToken);
            }

            ArrayPool<byte>.Shared.Return(memory);
            buffered.Length = total;
            return buffered;
        }
        catch
        {
            if (buffered._memory is null)
            {
                ArrayPool<byte>.Shared.Return(memory);
            }

            await buffered.DisposeAsync();
            throw;
        }
    }

    public async ValueTask<int> ReadAsync(long offset, Memory<byte> destination)
    {
        if (_memory is { } memory)
        {
            int count = (int)Math.Min(destination.Length, Length - offset);
            memory.AsMemory((int)offset, count).CopyTo(destination);
            return count;
        }

        if (_file is { } file)
        {
            return await RandomAccess.ReadAsync(file.SafeFileHandle, destination, offset);
        }

        return 0;
    }

    public async ValueTask DisposeAsync()
    {
        if (_memory is { } memory)
        {
            _memory = null;
            ArrayPool<byte>.Shared.Return(memory);
        }

        if (_file is { } file)
        {
            _file = null;
            await file.DisposeAsync();
        }
    }
}

/// <summary>The body passed the configured limit; answered with 413 naming the limit.</summary>
public sealed class BodyTooLargeException : Exception
{
    public BodyTooLargeException(long limit) : base($"request body larger than {limit} bytes") => Limit = limit;

    public BodyTooLargeException() { }

    public BodyTooLargeException(string message) : base(message) { }

    public BodyTooLargeException(string message, Exception inner) : base(message, inner) { }

    public long Limit { get; }
}
