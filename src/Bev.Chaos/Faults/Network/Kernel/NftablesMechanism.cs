using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Bev.Chaos.Faults.Network.Kernel;

/// <summary>
/// Drops (or rejects) packets with nftables inside a network namespace, all in our own table
/// <c>inet bev_chaos</c>. Each fault's rules match a set whose elements carry a kernel timeout
/// equal to the fault's duration: when the engine dies, the kernel still ends the fault on time.
/// Removal deletes the fault's rules (found by their comment) and its set. The fault type says
/// which share of the matching packets gets which verdict.
/// </summary>
internal sealed partial class NftablesMechanism(Func<FaultContext, (int Percent, string Verdict)> verdictFor)
    : NetworkMechanism(NetworkParameters.KernelMechanism,
        [NetworkParameters.NetnsParameter, NetworkParameters.AddressParameter, NetworkParameters.PortParameter, NetworkParameters.ProtocolParameter, NetworkParameters.DirectionParameter])
{
    private const string Table = "bev_chaos";

    public override void Validate(FaultContext context, List<ValidationError> errors)
    {
        NetworkNamespace.Validate(context, errors);
        var address = context.Parameters.GetStringOrNull(NetworkParameters.Address);
        if (address is not null && !System.Net.IPAddress.TryParse(address, out _))
        {
            errors.Add(new ValidationError($"parameters.{NetworkParameters.Address}", address, "an IPv4 address"));
        }

        if (context.Parameters.Has(NetworkParameters.Port) && context.Parameters.GetString(NetworkParameters.Protocol) == "icmp")
        {
            errors.Add(new ValidationError($"parameters.{NetworkParameters.Port}", context.Parameters.GetInteger(NetworkParameters.Port).ToString(CultureInfo.InvariantCulture), "no port with protocol=icmp"));
        }
    }

    /// <summary>The recipe: namespace, the set's name and the rules' comment.</summary>
    public override JsonObject Prepare(FaultContext context, string injector)
    {
        NetworkNamespace.Require("nft", "nftables", injector);
        var ns = NetworkNamespace.For(context);
        if (ns.IsHost && !context.Parameters.Has(NetworkParameters.Port) && context.Parameters.GetStringOrNull(NetworkParameters.Address) is null)
        {
            throw new ChaosValidationException($"parameters.{NetworkParameters.Port}", null,
                "a port or an address: the target shares the host's network namespace, and an unfiltered kernel fault would cut the whole host (or name a netns)");
        }

        var id = context.FaultId.Replace('-', '_');
        return new NftablesRecipe(ns.Path, "f_" + id[^12..], "bev-chaos:" + context.FaultId).ToJson();
    }

    /// <summary>Installs the rules: the fault's share of matching packets get its verdict.</summary>
    public override async ValueTask<IAsyncDisposable?> ApplyAsync(FaultContext context, JsonObject recipe, CancellationToken cancellationToken)
    {
        var (percent, verdict) = verdictFor(context);
        var (netns, set, comment) = NftablesRecipe.From(recipe) ?? throw new InvalidOperationException("the nftables recipe names no set");
        var ns = new NetworkNamespace(netns);
        var seconds = Math.Max(1, (long)Math.Ceiling(context.Duration.TotalSeconds));
        var protocols = context.Parameters.GetString(NetworkParameters.Protocol) switch
        {
            "all" => new[] { "tcp", "udp", "icmp" },
            var one => [one],
        };
        var address = context.Parameters.GetStringOrNull(NetworkParameters.Address);
        var port = context.Parameters.Has(NetworkParameters.Port) ? context.Parameters.GetInteger(NetworkParameters.Port) : (long?)null;
        var direction = context.Parameters.GetString(NetworkParameters.Direction);

        var script = new StringBuilder();
        script.AppendLine(CultureInfo.InvariantCulture, $"table inet {Table} {{");
        script.AppendLine("  chain input { type filter hook input priority -5; policy accept; }");
        script.AppendLine("  chain output { type filter hook output priority -5; policy accept; }");
        script.AppendLine("}");
        script.AppendLine(CultureInfo.InvariantCulture, $"add set inet {Table} {set} {{ type inet_proto; flags timeout; }}");
        script.AppendLine(CultureInfo.InvariantCulture, $"add element inet {Table} {set} {{ {string.Join(", ", protocols.Select(p => $"{p} timeout {seconds}s"))} }}");
        var probability = percent >= 100 ? string.Empty : $"numgen random mod 100 < {percent} ";
        foreach (var (chain, remote) in new[] { ("input", "saddr"), ("output", "daddr") })
        {
            if ((chain == "input" && direction == "egress") || (chain == "output" && direction == "ingress"))
            {
                continue;
            }

            var addressMatch = address is null ? string.Empty : $"ip {remote} {address} ";
            var ports = port is null ? new[] { string.Empty } : [$"th dport {port} ", $"th sport {port} "];
            foreach (var portMatch in ports)
            {
                script.AppendLine(CultureInfo.InvariantCulture, $"add rule inet {Table} {chain} meta l4proto @{set} {addressMatch}{portMatch}{probability}counter {verdict} comment \"{comment}\"");
            }
        }

        var (code, output) = await ns.RunAsync("nft", ["-f", "-"], script.ToString(), cancellationToken).ConfigureAwait(false);
        if (code != 0)
        {
            throw new InvalidOperationException($"nft refused the rules: {output}");
        }

        return null;
    }

    /// <summary>Deletes the fault's rules and set. Idempotent; a namespace that is gone took them along.</summary>
    public override async ValueTask RevertAsync(JsonObject recipe, CancellationToken cancellationToken)
    {
        if (NftablesRecipe.From(recipe) is not { } fault)
        {
            return;
        }

        var (netns, set, comment) = fault;
        var ns = new NetworkNamespace(netns);
        if (!ns.Exists)
        {
            return;
        }

        var (code, listing) = await ns.RunAsync("nft", ["-a", "list", "table", "inet", Table], null, cancellationToken).ConfigureAwait(false);
        if (code != 0)
        {
            return;
        }

        var script = new StringBuilder();
        string? chain = null;
        foreach (var line in listing.Split('\n'))
        {
            var chainMatch = ChainLine().Match(line);
            if (chainMatch.Success)
            {
                chain = chainMatch.Groups[1].Value;
                continue;
            }

            var handle = HandleLine().Match(line);
            if (chain is not null && handle.Success && line.Contains($"comment \"{comment}\"", StringComparison.Ordinal))
            {
                script.AppendLine(CultureInfo.InvariantCulture, $"delete rule inet {Table} {chain} handle {handle.Groups[1].Value}");
            }
        }

        if (listing.Contains($"set {set} ", StringComparison.Ordinal))
        {
            script.AppendLine(CultureInfo.InvariantCulture, $"delete set inet {Table} {set}");
        }

        if (script.Length > 0)
        {
            var (deleteCode, output) = await ns.RunAsync("nft", ["-f", "-"], script.ToString(), cancellationToken).ConfigureAwait(false);
            if (deleteCode != 0)
            {
                throw new InvalidOperationException($"nft could not delete the rules of {comment}: {output}");
            }
        }
    }

    [GeneratedRegex(@"^\s*chain (\w+) \{")]
    private static partial Regex ChainLine();

    [GeneratedRegex(@"# handle (\d+)\s*$")]
    private static partial Regex HandleLine();
}
