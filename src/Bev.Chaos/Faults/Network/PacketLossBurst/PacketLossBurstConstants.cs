namespace Bev.Chaos.Faults.Network.PacketLossBurst;

internal static class PacketLossBurstConstants
{
    public const string Name = "packet_loss_burst";
    public const string EnterBadPercent = "enter_bad_percent";
    public const string LeaveBadPercent = "leave_bad_percent";
    public const string LossInBadPercent = "loss_in_bad_percent";
    public const string LossInGoodPercent = "loss_in_good_percent";
    public const double DefaultEnterBadPercent = 5;
    public const double DefaultLeaveBadPercent = 30;
    public const double DefaultLossInBadPercent = 100;
    public const double DefaultLossInGoodPercent = 0;
    public const double MinTransitionPercent = 0.01;
    public const double MaxPercent = 100;
}
