// A small HTTP service for demos and tests: GET /health answers "ok", GET / answers a JSON item.
// It serves at most --workers connections at once (default 32), like a real thread-pooled
// server, so connection exhaustion has a visible effect on it.
using Bev.Chaos.SampleService;

return await SampleHttpService.RunAsync(args).ConfigureAwait(false);
