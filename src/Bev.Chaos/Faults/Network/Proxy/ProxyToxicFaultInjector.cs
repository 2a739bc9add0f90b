using Bev.Chaos.Proxy;

namespace Bev.Chaos.Faults.Network.Proxy;

/// <summary>
/// The base of the faults that are one proxy toxic whose one attribute is the fault's one
/// parameter (<c>connection_reset</c>: <c>reset_peer</c> with <c>timeout</c> = <c>timeout_ms</c>).
/// </summary>
internal abstract class ProxyToxicFaultInjector(ProxyCollection proxies, FaultParameter amount, string toxicType, string toxicAttribute) : NetworkFaultInjector(
    [amount],
    new ProxyToxicMechanism(proxies, (context, stream) => ProxyToxicMechanism.Toxic(context, toxicType, stream, (toxicAttribute, context.Parameters.GetInteger(amount.Name)))));
