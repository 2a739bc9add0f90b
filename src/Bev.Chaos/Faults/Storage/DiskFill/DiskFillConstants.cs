namespace Bev.Chaos.Faults.Storage.DiskFill;

internal static class DiskFillConstants
{
    public const string Name = "disk_fill";
    public const string PathParameter = "path";
    public const string FillPercent = "fill_percent";
    public const string SizeMb = "size_mb";
    public const string ReserveMb = "reserve_mb";
    public const string FillPercentCap = "max_fill_percent";
    public const string SizeCap = "max_size_mb";
    public const string FilePrefix = "bev-chaos-fill-";
    public const long DefaultSizeMb = 100;
    public const long DefaultReserveMb = 1024;
}
