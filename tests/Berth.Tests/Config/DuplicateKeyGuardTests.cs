using Berth.Config;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Berth.Tests.Config;

public sealed class DuplicateKeyGuardTests
{
    [Fact]
    public void A_repeated_key_is_renamed_so_loading_goes_on()
    {
        YamlMappingNode root = Load("a: 1\nb:\n  c: 1\n  c: 2\na: 3\n");

        string[] keys = root.Children.Keys.Select(k => ((YamlScalarNode)k).Value!).ToArray();
        Assert.Equal(3, keys.Length);
        Assert.True(DuplicateKeyGuard.TryDecode(keys[2], out string original, out int firstLine));
        Assert.Equal(("a", 1), (original, firstLine));
        YamlMappingNode b = (YamlMappingNode)root.Children[new YamlScalarNode("b")];
        Assert.True(DuplicateKeyGuard.TryDecode(((YamlScalarNode)b.Children.Keys.Last()).Value!, out original, out firstLine));
        Assert.Equal(("c", 3), (original, firstLine));
    }

    [Fact]
    public void The_same_key_in_sibling_mappings_or_as_a_value_is_not_a_repeat()
    {
        YamlNode root = LoadNode("- a: 1\n  b: a\n- a: 2\n- { a: 3, c: [a, a] }\n- &shared { a: 4 }\n- *shared\n");

        Assert.DoesNotContain(Scalars(root), s => DuplicateKeyGuard.TryDecode(s, out _, out _));
    }

    [Fact]
    public void Keys_after_a_nested_block_are_still_keys()
    {
        YamlMappingNode root = Load("outer:\n  - x\n  - { y: 1 }\nouter: 2\nz: [1]\nz: 3\n");

        Assert.Equal(2, root.Children.Keys.Count(k => DuplicateKeyGuard.TryDecode(((YamlScalarNode)k).Value!, out _, out _)));
    }

    private static YamlMappingNode Load(string yaml) => (YamlMappingNode)LoadNode(yaml);

    private static YamlNode LoadNode(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new DuplicateKeyGuard(new Parser(new StringReader(yaml))));
        return stream.Documents[0].RootNode;
    }

    private static IEnumerable<string> Scalars(YamlNode node) => node.AllNodes.OfType<YamlScalarNode>().Select(s => s.Value ?? "");
}
