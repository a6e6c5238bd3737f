using System.Diagnostics;

namespace Berth.IntegrationTests;

/// <summary>Waiting on what a running berth serves: a HUP or a file change returns before the change is done.</summary>
public sealed partial class BerthProcess
{
    private static readonly TimeSpan DefaultPatience = TimeSpan.FromSeconds(30);

    /// <summary>Polls <paramref name="condition"/> until it holds; past <paramref name="patience"/> (30 s) the
    /// failure names <paramref name="what"/> and carries berth's output.</summary>
    public async Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan? patience = null)
    {
        TimeSpan limit = patience ?? DefaultPatience;
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > limit)
            {
                throw new TimeoutException($"waited {limit.TotalSeconds}s for {what}. berth's output:\n{Output}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>The distinct pids behind <paramref name="path"/>: sequential requests rotate over idle workers, so a
    /// few rounds reach each of <paramref name="workers"/>.</summary>
    public static async Task<HashSet<string>> PidsAsync(HttpClient client, string path, int workers)
    {
        HashSet<string> pids = await PidsSeenAsync(client, path, workers * 4);
        Assert.Equal(workers, pids.Count);
        return pids;
    }

    public static async Task<HashSet<string>> PidsSeenAsync(HttpClient client, string path, int requests)
    {
        var pids = new HashSet<string>();
        for (int i = 0; i < requests; i++)
        {
            pids.Add(await client.GetStringAsync(path));
        }

        return pids;
    }

    /// <summary>The body of a 2xx answer, or null.</summary>
    public static async Task<string?> AnswerAsync(HttpClient client, string path)
    {
        using HttpResponseMessage response = await client.GetAsync(path);
        return response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync() : null;
    }
}
