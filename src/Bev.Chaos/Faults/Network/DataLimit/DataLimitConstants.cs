namespace Bev.Chaos.Faults.Network.DataLimit;

internal static class DataLimitConstants
{
    public const string Name = "data_limit";
    public const string Bytes = "bytes";
    public const long DefaultBytes = 1024;
    public const long MinBytes = 0;
    public const long MaxBytes = 1L << 40;
    public const string ToxicType = "limit_data";
    public const string ToxicAttribute = "bytes";
}
