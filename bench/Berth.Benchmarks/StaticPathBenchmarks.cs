using BenchmarkDotNet.Attributes;
using Berth.Edge.Static;

namespace Berth.Benchmarks;

/// <summary>The lexical rules every static request passes before the file system is asked anything.</summary>
[MemoryDiagnoser]
public class StaticPathBenchmarks
{
    private const string Root = "/srv/app/current/static";

    [Benchmark(Description = "SafePath.Map /css/site.css")]
    public bool MapOrdinary() => SafePath.Map(Root, "/css/site.css", out _) == PathVerdict.Ok;

    [Benchmark(Description = "SafePath.Map /img/../../etc/passwd (refused)")]
    public bool MapTraversal() => SafePath.Map(Root, "/img/../../etc/passwd", out _) == PathVerdict.Ok;

    [Benchmark(Description = "ByteRange.Parse bytes=500-999")]
    public long ParseRange() => ByteRange.Parse("bytes=500-999", 1_048_576, out ByteRange range) == RangeOutcome.Satisfiable ? range.Length : -1;

    [Benchmark(Description = "Fingerprint app.3f9a1c2b.min.js")]
    public bool FingerprintHashed() => Fingerprint.IsFingerprinted("app.3f9a1c2b.min.js");

    [Benchmark(Description = "Fingerprint site.css")]
    public bool FingerprintPlain() => Fingerprint.IsFingerprinted("site.css");
}
