using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Berth.Config;

/// <summary>
/// Sits between the YAML parser and YamlDotNet's representation model, which throws at the first repeated key
/// and so would hide every other error in the file. A repeated key (two apps called <c>web</c>) is renamed to
/// a marker that <see cref="TryDecode"/> recognises, so loading goes on and the reader reports it under its full
/// path, with both lines.
/// </summary>
internal sealed class DuplicateKeyGuard : IParser
{
    private const char Marker = '\0'; // cannot appear in a YAML scalar, so never in a real key

    private readonly IParser _inner;
    private readonly Stack<Block> _blocks = new();
    private ParsingEvent? _current;
    private int _renamed;

    public DuplicateKeyGuard(IParser inner) => _inner = inner;

    public ParsingEvent? Current => _current;

    public bool MoveNext()
    {
        if (!_inner.MoveNext())
        {
            _current = null;
            return false;
        }

        _current = _inner.Current;
        switch (_current)
        {
            case DocumentStart:
                _blocks.Clear();
                break;
            case MappingStart:
                _blocks.Push(new Block(isMapping: true));
                break;
            case SequenceStart:
                _blocks.Push(new Block(isMapping: false));
                break;
            case MappingEnd or SequenceEnd:
                _blocks.Pop();
                NodeDone();
                break;
            case Scalar scalar:
                if (_blocks.TryPeek(out Block? block) && block.IsMapping && block.ExpectingKey)
                {
                    _current = Check(block, scalar);
                }

                NodeDone();
                break;
            case AnchorAlias:
                NodeDone();
                break;
        }

        return true;
    }

    /// <summary>Whether <paramref name="key"/> is a renamed repeat; if so, the key as written and the line where it first appeared.</summary>
    public static bool TryDecode(string key, out string original, out int firstLine)
    {
        int marker = key.IndexOf(Marker, StringComparison.Ordinal);
        if (marker < 0)
        {
            original = key;
            firstLine = 0;
            return false;
        }

        original = key[..marker];
        string rest = key[(marker + 1)..];
        firstLine = int.Parse(rest[..rest.IndexOf(Marker, StringComparison.Ordinal)], CultureInfo.InvariantCulture);
        return true;
    }

    private Scalar Check(Block block, Scalar key)
    {
        if (block.FirstLines.TryAdd(key.Value, (int)key.Start.Line))
        {
            return key;
        }

        string renamed = string.Create(CultureInfo.InvariantCulture, $"{key.Value}{Marker}{block.FirstLines[key.Value]}{Marker}{++_renamed}");
        return new Scalar(key.Anchor, key.Tag, renamed, key.Style, key.IsPlainImplicit, key.IsQuotedImplicit, key.Start, key.End, key.IsKey);
    }

    private void NodeDone()
    {
        if (_blocks.TryPeek(out Block? block) && block.IsMapping)
        {
            block.ExpectingKey = !block.ExpectingKey;
        }
    }

    private sealed class Block(bool isMapping)
    {
        public bool IsMapping { get; } = isMapping;

        public bool ExpectingKey { get; set; } = true;

        public Dictionary<string, int> FirstLines { get; } = new(StringComparer.Ordinal);
    }
}
