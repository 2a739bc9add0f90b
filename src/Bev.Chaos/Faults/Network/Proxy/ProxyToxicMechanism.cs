using System.Text.Json.Nodes;
using Bev.Chaos.Proxy;

namespace Bev.Chaos.Faults.Network.Proxy;

/// <summary>
/// A fault made of toxics: one per selected stream on every selected proxy, named after the
/// fault (<c>&lt;fault id&gt;_&lt;stream&gt;</c>). The fault type says which toxic a stream gets.
/// </summary>
internal sealed class ProxyToxicMechanism(ProxyCollection proxies, Func<FaultContext, ToxicStream, ToxicDefinition> toxicFor)
    : ProxyMechanism(proxies, [NetworkParameters.DependencyParameter, NetworkParameters.StreamParameter("downstream"), NetworkParameters.ToxicityParameter])
{
    /// <summary>A toxic of <paramref name="type"/> for <paramref name="stream"/>, at the fault's <c>toxicity</c>.</summary>
    public static ToxicDefinition Toxic(FaultContext context, string type, ToxicStream stream, params (string Key, long Value)[] attributes) =>
        ToxicTypes.Define("pending", type, stream == ToxicStream.Upstream ? "upstream" : "downstream",
            context.Parameters.GetNumber(NetworkParameters.Toxicity), attributes.ToDictionary(a => a.Key, a => a.Value));

    /// <summary>Adds the recipe's toxics to every selected proxy; returns a handle that takes them out.</summary>
    public override ValueTask<IAsyncDisposable?> ApplyAsync(FaultContext context, JsonObject recipe, CancellationToken cancellationToken)
    {
        var toxics = ProxyRecipe.From(recipe).Toxics;
        try
        {
            foreach (var proxy in EnsureRunning(context))
            {
                foreach (var name in toxics)
                {
                    var stream = name.EndsWith("_upstream", StringComparison.Ordinal) ? ToxicStream.Upstream : ToxicStream.Downstream;
                    proxy.AddToxic(toxicFor(context, stream) with { Name = name });
                }
            }
        }
        catch
        {
            Revert(recipe);
            throw;
        }

        return ValueTask.FromResult<IAsyncDisposable?>(RevertHandle(recipe));
    }

    protected override IReadOnlyList<ToxicStream> StreamsOf(FaultContext context) =>
        context.Parameters.Has(NetworkParameters.Stream) ? NetworkParameters.Streams(context) : [ToxicStream.Downstream];
}
