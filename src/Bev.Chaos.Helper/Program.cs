// The effect carrier: a small process that burns CPU, holds memory or holds connections on
// behalf of the engine. It lives exactly as long as its lifeline (standard input) stays open
// and never longer than its time to live, so an effect it carries can never outlive the
// engine that started it — not even after SIGKILL.
using Bev.Chaos.Helper;

return await HelperProgram.RunAsync(args).ConfigureAwait(false);
