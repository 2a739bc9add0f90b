namespace Bev.Chaos.Proxy.Api;

/// <summary>What a caller may do on a listener: viewers read, operators also change, admins also release locks.</summary>
public enum ListenerRole
{
    /// <summary>Read everything (GET, HEAD).</summary>
    Viewer,

    /// <summary>Also change things: every mutating call but the ones reserved to admins.</summary>
    Operator,

    /// <summary>Everything, the release of the chaos API's safety lock included.</summary>
    Admin,
}
