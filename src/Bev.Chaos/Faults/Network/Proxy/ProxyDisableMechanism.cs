using System.Text.Json.Nodes;
using Bev.Chaos.Proxy;

namespace Bev.Chaos.Faults.Network.Proxy;

/// <summary>A partition on the proxy: every selected proxy disabled (listener closed, connections cut).</summary>
internal sealed class ProxyDisableMechanism(ProxyCollection proxies) : ProxyMechanism(proxies, [NetworkParameters.DependencyParameter])
{
    public override ValueTask<IAsyncDisposable?> ApplyAsync(FaultContext context, JsonObject recipe, CancellationToken cancellationToken)
    {
        foreach (var proxy in EnsureRunning(context))
        {
            proxy.Update(null, null, enabled: false);
        }

        ProxyRecipe.MarkDisabled(recipe);
        return ValueTask.FromResult<IAsyncDisposable?>(RevertHandle(recipe));
    }

    // No toxics are added, but the recipe has always named the downstream one: revert finds none and moves on.
    protected override IReadOnlyList<ToxicStream> StreamsOf(FaultContext context) => [ToxicStream.Downstream];
}
