namespace Bev.Chaos.Faults.Network.HttpReplace;

internal static class HttpReplaceConstants
{
    public const string Name = "http_replace";
    public const string ToxicType = "http_replace";
}
