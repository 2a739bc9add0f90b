using Bev.Chaos.Cli;

return await BevChaosCli.RunAsync(args).ConfigureAwait(false);
