using System.CommandLine;
using Berth.Cli;

// Socket completions run on the epoll thread instead of hopping to the thread pool first: a worker's
// response reaches its exchange without a thread hop. Master CPU per proxied Flask request, pinned to one
// core: 174 → 151 µs (bench/NOTES.md, "Hot path, round 2"). System.Net.Sockets reads the variable once,
// when the first socket is made, so it is set before anything else runs; a value the user set wins.
const string InlineCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
if (Environment.GetEnvironmentVariable(InlineCompletions) is null)
{
    Environment.SetEnvironmentVariable(InlineCompletions, "1");
}

// Berth handles SIGTERM/SIGINT itself (graceful drain); System.CommandLine's own handler would kill
// the process two seconds after the signal, in the middle of finishing requests.
return await BerthCommand.Build().Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
