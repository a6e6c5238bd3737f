using System.Buffers;
using System.Text.Json;
using Berth.Protocol;

namespace Berth.Tests.Protocol;

/// <summary>The C# codec against tests/protocol-vectors.json, the same bytes the Python shim is tested with.</summary>
public sealed class ProtocolVectorTests
{
    public sealed record Vector(string Name, int Type, int Flags, uint RequestId, string PayloadHex, string[]? Kv, string Hex)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<Vector> Vectors()
    {
        string dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "tests", "protocol-vectors.json")))
        {
            dir = Path.GetDirectoryName(dir) ?? throw new FileNotFoundException("tests/protocol-vectors.json");
        }

        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "tests", "protocol-vectors.json")));
        var data = new TheoryData<Vector>();
        foreach (JsonElement v in doc.RootElement.EnumerateArray())
        {
            string[]? kv = v.GetProperty("kv").ValueKind == JsonValueKind.Array ? v.GetProperty("kv").EnumerateArray().Select(e => e.GetString()!).ToArray() : null;
            data.Add(new Vector(v.GetProperty("name").GetString()!, v.GetProperty("type").GetInt32(), v.GetProperty("flags").GetInt32(), v.GetProperty("request_id").GetUInt32(), v.GetProperty("payload_hex").GetString()!, kv, v.GetProperty("hex").GetString()!));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Encodes_each_vector_to_the_same_bytes(Vector vector)
    {
        var writer = new ArrayBufferWriter<byte>();
        if (vector.Kv is { } items)
        {
            FrameMark mark = FrameWriter.BeginFrame(writer);
            bool first = true;
            foreach (string item in items)
            {
                KeyValueList.WriteItem(writer, item, ref first);
            }

            FrameWriter.EndFrame(writer, mark, (FrameType)vector.Type, (FrameFlags)vector.Flags, vector.RequestId);
        }
        else
        {
            FrameWriter.Write(writer, (FrameType)vector.Type, (FrameFlags)vector.Flags, vector.RequestId, Convert.FromHexString(vector.PayloadHex));
        }

        Assert.Equal(vector.Hex, Convert.ToHexStringLower(writer.WrittenSpan));
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Decodes_each_vector(Vector vector)
    {
        var buffer = new ReadOnlySequence<byte>(Convert.FromHexString(vector.Hex));

        Assert.True(FrameHeader.TryReadFrame(ref buffer, out FrameHeader header, out ReadOnlySequence<byte> payload));

        Assert.Equal(vector.Type, (int)header.Type);
        Assert.Equal(vector.Flags, (int)header.Flags);
        Assert.Equal(vector.RequestId, header.RequestId);
        Assert.Equal(vector.PayloadHex, Convert.ToHexStringLower(payload.ToArray()));
        Assert.True(buffer.IsEmpty);
        if (vector.Kv is { } items)
        {
            Assert.Equal(items, KeyValueList.Read(payload));
        }
    }

    [Fact]
    public void Reads_a_stream_of_all_vectors_in_every_split()
    {
        byte[] stream = ((IEnumerable<object[]>)Vectors()).SelectMany(row => Convert.FromHexString(((Vector)row[0]).Hex)).ToArray();
        int expected = Vectors().Count;
        var random = new Random(7);

        // Whole, byte by byte, and random chunks: the reader must see the same frames each time.
        foreach (int[] cuts in new[] { new[] { stream.Length }, Enumerable.Repeat(1, stream.Length).ToArray() }.Concat(Enumerable.Range(0, 20).Select(_ => RandomChunks(stream.Length, random))))
        {
            Assert.Equal(expected, CountFrames(stream, cuts));
        }
    }

    [Fact]
    public void Refuses_an_impossible_length()
    {
        byte[] frame = Convert.FromHexString("2100000000000001" + "7fffffff");
        var buffer = new ReadOnlySequence<byte>(frame);

        Assert.Throws<ProtocolException>(() => FrameHeader.TryReadFrame(ref buffer, out _, out _));
    }

    private static int[] RandomChunks(int total, Random random)
    {
        var cuts = new List<int>();
        while (total > 0)
        {
            int n = Math.Min(total, random.Next(1, 40));
            cuts.Add(n);
            total -= n;
        }

        return cuts.ToArray();
    }

    /// <summary>Feeds the stream in the given chunk sizes, as a socket would, keeping unread bytes between reads.</summary>
    private static int CountFrames(byte[] stream, int[] chunks)
    {
        var pending = new List<byte>();
        int offset = 0, frames = 0;
        foreach (int size in chunks)
        {
            pending.AddRange(stream.AsSpan(offset, size).ToArray());
            offset += size;
            var buffer = new ReadOnlySequence<byte>(pending.ToArray());
            while (FrameHeader.TryReadFrame(ref buffer, out _, out _))
            {
                frames++;
            }

            pending = buffer.ToArray().ToList();
        }

        Assert.Empty(pending);
        return frames;
    }
}
