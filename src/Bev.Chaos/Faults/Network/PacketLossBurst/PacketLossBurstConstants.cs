namespace Bev.Chaos.Faults.Network.PacketLossBurst;

internal static class PacketLossBurstConstants
{
    public const string Name = "packet_loss_burst";
    public const string EnterBadPercent = "enter_bad_percent";
    public const string LeaveBadPercent = "leave_bad_percent";
    public const string LossInBadPercent = "loss_in_bad_percent";
    public const string LossInGoodPercent = "loss_in_good_percent";
}
