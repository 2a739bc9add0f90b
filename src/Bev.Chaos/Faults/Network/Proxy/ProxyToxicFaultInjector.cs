using Bev.Chaos.Proxy;

namespace Bev.Chaos.Faults.Network.Proxy;

/// <summary>
/// The base of the faults that are one proxy toxic whose one attribute is the fault's one
/// parameter (<c>connection_reset</c>: <c>reset_peer</c> with <c>timeout</c> = <c>timeout_ms</c>).
/// </summary>
/// <typeparam name="TOptions">The fault type's options record.</typeparam>
internal abstract class ProxyToxicFaultInjector<TOptions>(ProxyCollection proxies, string toxicType, string toxicAttribute, Func<TOptions, long> amount) : NetworkFaultInjector<TOptions>(
    new ProxyToxicMechanism(proxies, (context, stream) => ProxyToxicMechanism.Toxic(context, toxicType, stream, (toxicAttribute, amount(OptionsOf(context))))))
    where TOptions : class, new();
