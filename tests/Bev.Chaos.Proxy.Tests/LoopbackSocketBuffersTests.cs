using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.Proxy.Tests;

/// <summary>The sized kernel buffers of proxied sockets whose peer is on loopback, read back from the kernel with ss(8).</summary>
public sealed partial class LoopbackSocketBuffersTests : IAsyncLifetime
{
    // The kernel doubles an SO_RCVBUF or SO_SNDBUF value; ss reports the doubled sizes as rb and tb.
    private const long SizedBuffer = 2L * LoopbackSocketBuffers.Bytes;

    private readonly ProxyCollection _proxies = new();

    public ValueTask InitializeAsync()
    {
        Requires.Program("ss");
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => _proxies.DisposeAsync();

    [Fact]
    public async Task ProxiedConnectionOnLoopback_BothProxySocketsHaveTheSizedBuffers()
    {
        await using var server = EchoServer.Echo();
        var proxy = _proxies.Create("loopback-buffers", null, server.Address);
        using var client = await ProxyClient.ConnectAsync(proxy);
        var proxyPort = Port(proxy.Listen);
        var serverPort = Port(server.Address);

        // The proxy's accepted socket is the one whose local port is the proxy's; its upstream socket
        // is the only one connected to the server's port (the server's own has it as local port).
        var accepted = await Poll.UntilAsync(() => Buffers($"sport = :{proxyPort}"), b => b.Count == 1, TimeSpan.FromSeconds(5), "the proxy's accepted socket in ss");
        var upstream = await Poll.UntilAsync(() => Buffers($"dport = :{serverPort}"), b => b.Count == 1, TimeSpan.FromSeconds(5), "the proxy's upstream socket in ss");
        var clientOwn = Buffers($"dport = :{proxyPort}");

        Assert.Equal((SizedBuffer, SizedBuffer), accepted[0]);
        Assert.Equal((SizedBuffer, SizedBuffer), upstream[0]);
        // The test's own client socket is left to the kernel: the sizes are the proxy's doing.
        var (receive, send) = Assert.Single(clientOwn);
        Assert.NotEqual(SizedBuffer, receive);
        Assert.NotEqual(SizedBuffer, send);
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.20.30.40", true)]
    [InlineData("::1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("10.0.0.1", false)]
    [InlineData("192.0.2.1", false)]
    [InlineData("::ffff:10.0.0.1", false)]
    [InlineData("2001:db8::1", false)]
    public void IsLoopback_OnlyForLoopbackAddresses(string address, bool loopback) =>
        Assert.Equal(loopback, LoopbackSocketBuffers.IsLoopback(IPAddress.Parse(address)));

    private static int Port(string address) => int.Parse(address[(address.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);

    /// <summary>The rb and tb (receive and send buffer sizes) of every established TCP socket matching <paramref name="filter"/>.</summary>
    private static List<(long Receive, long Send)> Buffers(string filter)
    {
        var info = new ProcessStartInfo("ss") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var argument in new[] { "-tmnH", "state", "established", filter })
        {
            info.ArgumentList.Add(argument);
        }

        using var ss = Process.Start(info)!;
        ss.StandardInput.Close();
        var output = ss.StandardOutput.ReadToEnd();
        if (!ss.WaitForExit(10_000) || ss.ExitCode != 0)
        {
            throw new InvalidOperationException($"ss {filter} failed: {ss.StandardError.ReadToEnd()}");
        }

        return [.. BufferFields().Matches(output).Select(m => (long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)))];
    }

    [GeneratedRegex(@"\brb(\d+),t\d+,tb(\d+)\b")]
    private static partial Regex BufferFields();
}
