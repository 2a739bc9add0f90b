namespace Bev.Chaos.Faults.Network.PacketLoss;

internal static class PacketLossConstants
{
    public const string Name = "packet_loss";
    public const string LossPercent = "loss_percent";
    public const string LossCap = "max_loss_percent";
    public const long DefaultLossPercent = 10;
    public const long MinLossPercent = 1;
    public const long MaxLossPercent = 100;
}
