using System.CommandLine;
using Berth.Cli;

return await BerthCommand.Build().Parse(args).InvokeAsync();
