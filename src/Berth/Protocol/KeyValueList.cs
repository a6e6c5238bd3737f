using System.Buffers;
using System.Text;

namespace Berth.Protocol;

/// <summary>
/// The NUL-joined Latin-1 string lists of request heads, response heads and HELLO (docs/protocol.md).
/// Latin-1 maps each byte to one char, which is exactly PEP 3333's "native string" rule, so no
/// transcoding happens on either side.
/// </summary>
public static class KeyValueList
{
    /// <summary>Appends <paramref name="key"/> and <paramref name="value"/> to a list being built in <paramref name="writer"/>.</summary>
    public static void WritePair(IBufferWriter<byte> writer, string key, string value, ref bool first)
    {
        WriteItem(writer, key, ref first);
        WriteItem(writer, value, ref first);
    }

    public static void WriteItem(IBufferWriter<byte> writer, ReadOnlySpan<char> item, ref bool first)
    {
        Span<byte> target = Reserve(writer, item.Length, ref first);
        Encoding.Latin1.GetBytes(item, target);
        writer.Advance(target.Length);
    }

    /// <summary>Appends raw bytes as one item (a path already decoded to bytes).</summary>
    public static void WriteItem(IBufferWriter<byte> writer, ReadOnlySpan<byte> item, ref bool first)
    {
        Span<byte> target = Reserve(writer, item.Length, ref first);
        item.CopyTo(target);
        writer.Advance(target.Length);
    }

    /// <summary>Writes the NUL separator (unless this is the first item) and returns room for <paramref name="length"/>
    /// bytes; the caller fills it and advances by its length, separator included.</summary>
    private static Span<byte> Reserve(IBufferWriter<byte> writer, int length, ref bool first)
    {
        if (first)
        {
            first = false;
            return writer.GetSpan(length)[..length];
        }

        Span<byte> span = writer.GetSpan(length + 1);
        span[0] = 0;
        writer.Advance(1);
        return writer.GetSpan(length)[..length];
    }

    public static List<string> Read(ReadOnlySequence<byte> payload)
    {
        var items = new List<string>();
        if (payload.IsEmpty)
        {
            return items;
        }

        var reader = new SequenceReader<byte>(payload);
        while (true)
        {
            if (reader.TryReadTo(out ReadOnlySequence<byte> item, 0))
            {
                items.Add(Encoding.Latin1.GetString(item));
            }
            else
            {
                items.Add(Encoding.Latin1.GetString(reader.UnreadSequence));
                return items;
            }
        }
    }

    /// <summary>The value after <paramref name="key"/> in a key/value list, or null.</summary>
    public static string? Find(IReadOnlyList<string> items, string key)
    {
        for (int i = 0; i + 1 < items.Count; i += 2)
        {
            if (items[i] == key)
            {
                return items[i + 1];
            }
        }

        return null;
    }
}
