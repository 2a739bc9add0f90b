using Bev.Chaos.Cli;

// `bev-chaos proxy` is a proxy and nothing else: socket continuations run inline on the socket
// engine's threads instead of hopping to the thread pool for every read and send. Measured with
// wrk through an http proxy to nginx (bench/RESULTS.md, http-proxy): about 33,000 → 45,000
// requests/s on two cores. Read by .NET once, at the first socket operation, so it is set here
// first; a value the user set is left alone.
if (args is ["proxy", ..] && Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") is null)
{
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
}

var exitCode = await BevChaosCli.RunAsync(args).ConfigureAwait(false);
StartupTrace.Mark("done");
return exitCode;
