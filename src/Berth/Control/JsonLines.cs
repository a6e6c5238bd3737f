using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Berth.Control;

/// <summary>
/// The control socket's framing, JSON Lines (https://jsonlines.org): one UTF-8 JSON value, then <c>\n</c>.
/// Chosen over length prefixes so that <c>socat - UNIX-CONNECT:control.sock</c> is a usable client.
/// </summary>
internal static class JsonLines
{
    // Relaxed escaping writes `"` as \" rather than \u0022, so an error read through socat stays readable; the
    // "unsafe" part is about embedding in HTML, which this never is. Control characters are still escaped.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Takes the next complete line (without its <c>\n</c>) off the front of <paramref name="buffer"/>.</summary>
    public static bool TryReadLine(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
    {
        SequencePosition? newline = buffer.PositionOf((byte)'\n');
        if (newline is null)
        {
            line = default;
            return false;
        }

        line = buffer.Slice(0, newline.Value);
        buffer = buffer.Slice(buffer.GetPosition(1, newline.Value));
        return true;
    }

    /// <summary>True for a line of only spaces, tabs and <c>\r</c>: what pressing Enter in socat sends.</summary>
    public static bool IsBlank(ReadOnlySequence<byte> line)
    {
        foreach (ReadOnlyMemory<byte> segment in line)
        {
            if (segment.Span.IndexOfAnyExcept(" \t\r"u8) >= 0)
            {
                return false;
            }
        }

        return true;
    }

    public static T? Parse<T>(ReadOnlySequence<byte> line, JsonTypeInfo<T> type)
    {
        var reader = new Utf8JsonReader(line);
        return JsonSerializer.Deserialize(ref reader, type);
    }

    /// <summary>Writes <paramref name="value"/> and its newline in one write, so a reader never sees half a line
    /// because of us. The serializer escapes control characters inside strings, so the JSON itself has no <c>\n</c>.</summary>
    public static async ValueTask WriteAsync<T>(Stream stream, T value, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            JsonSerializer.Serialize(writer, value, type);
        }

        buffer.Write("\n"u8);
        await stream.WriteAsync(buffer.WrittenMemory, cancellationToken);
    }
}
