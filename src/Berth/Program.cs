using System.CommandLine;
using Berth.Cli;

// Berth handles SIGTERM/SIGINT itself (graceful drain); System.CommandLine's own handler would kill
// the process two seconds after the signal, in the middle of finishing requests.
return await BerthCommand.Build().Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
