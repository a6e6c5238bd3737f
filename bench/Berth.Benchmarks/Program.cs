using BenchmarkDotNet.Running;

namespace Berth.Benchmarks;

/// <summary>dotnet run -c Release --project bench/Berth.Benchmarks -- --filter '*' [--job short] (bench/README.md).</summary>
public static class BenchmarkProgram
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly).Run(args);
}
