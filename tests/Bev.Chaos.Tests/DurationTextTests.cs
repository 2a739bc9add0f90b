namespace Bev.Chaos.Tests;

public sealed class DurationTextTests
{
    [Theory]
    [InlineData("30", 30_000)]
    [InlineData("250ms", 250)]
    [InlineData("1.5s", 1500)]
    [InlineData("5m", 300_000)]
    [InlineData("1h", 3_600_000)]
    public void TryParse_UserForms_Parse(string text, double milliseconds)
    {
        Assert.True(DurationText.TryParse(text, out var value));
        Assert.Equal(milliseconds, value.TotalMilliseconds);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("abc")]
    [InlineData("10x")]
    [InlineData("")]
    public void TryParse_Garbage_Fails(string text) => Assert.False(DurationText.TryParse(text, out _));

    [Fact]
    public void Format_RoundNumbers_AreCompact()
    {
        Assert.Equal("250ms", DurationText.Format(TimeSpan.FromMilliseconds(250)));
        Assert.Equal("30s", DurationText.Format(TimeSpan.FromSeconds(30)));
        Assert.Equal("5m", DurationText.Format(TimeSpan.FromMinutes(5)));
        Assert.Equal("1m30s", DurationText.Format(TimeSpan.FromSeconds(90)));
    }
}
