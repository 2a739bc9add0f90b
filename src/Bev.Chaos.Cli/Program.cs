using Bev.Chaos.Cli;

var exitCode = await BevChaosCli.RunAsync(args).ConfigureAwait(false);
StartupTrace.Mark("done");
return exitCode;
