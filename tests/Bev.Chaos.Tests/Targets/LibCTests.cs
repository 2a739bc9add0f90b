using Bev.Chaos.Targets.Linux;

namespace Bev.Chaos.Tests.Targets;

public sealed class LibCTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(-4242)]
    public void TrySignal_NonPositivePid_IsRefusedBeforeAnySignalIsSent(int pid)
    {
        // Signal 0 only probes; were the guard missing, kill(0 or -1, 0) would succeed and return true.
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => LibC.TrySignal(pid, 0));
        Assert.Equal("pid", error.ParamName);
    }

    [Fact]
    public void TrySignal_OwnProcessWithSignalZero_IsTrue() => Assert.True(LibC.TrySignal(Environment.ProcessId, 0));
}
