using System.Diagnostics;
using System.Globalization;
using Bev.Chaos.Configuration;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.IntegrationTests.Agents;

/// <summary>
/// Hosts of the test's own: network namespaces each joined to this one by a veth pair
/// (198.18.90.0/24, created here and deleted afterwards), a real <c>bev-chaos agent</c> in each,
/// and a host-side nftables table of the test's own to partition the controller from one of them.
/// </summary>
internal sealed class AgentHosts : IDisposable
{
    public const string Token = "agent-test-token-0123456789";
    private readonly string _id = Guid.NewGuid().ToString("N")[..6];
    private readonly List<Process> _agents = [];
    private readonly List<TempDirectory> _data = [];
    private readonly int _count;
    private bool _partitioned;

    public AgentHosts(int count)
    {
        Requires.Root();
        Requires.Program("ip");
        Requires.Program("nft");
        _count = count;
        try
        {
            for (var i = 1; i <= count; i++)
            {
                TestNetwork.Ip("netns", "add", Namespace(i));
                TestNetwork.Ip("link", "add", $"bva{_id}{i}", "type", "veth", "peer", "name", "eth0", "netns", Namespace(i));
                TestNetwork.Ip("addr", "add", $"{HostAddress(i)}/30", "dev", $"bva{_id}{i}");
                TestNetwork.Ip("link", "set", $"bva{_id}{i}", "up");
                TestNetwork.Ip("-n", Namespace(i), "addr", "add", $"{AgentAddress(i)}/30", "dev", "eth0");
                TestNetwork.Ip("-n", Namespace(i), "link", "set", "eth0", "up");
                TestNetwork.Ip("-n", Namespace(i), "link", "set", "lo", "up");
                _data.Add(new TempDirectory());
                _agents.Add(null!);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public static string Name(int i) => $"h{i}";

    public string Namespace(int i) => $"bevt-{_id}-h{i}";

    public static string HostAddress(int i) => $"198.18.90.{(4 * i) + 1}";

    public static string AgentAddress(int i) => $"198.18.90.{(4 * i) + 2}";

    public static Uri Url(int i) => new($"http://{AgentAddress(i)}:18181/");

    /// <summary>The controller's <c>agents:</c> for these hosts.</summary>
    public IReadOnlyDictionary<string, AgentDefinition> Definitions(TimeSpan lease, string token = Token) =>
        Enumerable.Range(1, _count).ToDictionary(Name, i => new AgentDefinition(Name(i), Url(i), token, lease));

    /// <summary>Starts (or restarts) the agent in host <paramref name="i"/> and waits until it answers.</summary>
    public async Task StartAgentAsync(int i)
    {
        var info = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var arg in new[] { "netns", "exec", Namespace(i), Path.Combine(AppContext.BaseDirectory, "bev-chaos"), "--data-dir", _data[i - 1].Path, "agent", "--name", Name(i), "--listen", Url(i).ToString().TrimEnd('/'), "--token", Token })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["NO_COLOR"] = "1";
        var agent = Process.Start(info)!;
        agent.BeginOutputReadLine();
        agent.BeginErrorReadLine();
        _agents[i - 1] = agent;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        await Poll.UntilAsync(async () =>
        {
            try
            {
                return (await http.GetAsync(new Uri(Url(i), "health"), TestContext.Current.CancellationToken)).IsSuccessStatusCode;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(30), $"agent {Name(i)} answering");
    }

    public void KillAgent(int i)
    {
        var agent = _agents[i - 1];
        agent.Kill();
        agent.WaitForExit(5000);
    }

    /// <summary>Drops everything this host sends to agent <paramref name="i"/>: the controller loses it.</summary>
    public void Partition(int i)
    {
        var table = $"bevt{_id}";
        Nft("add", "table", "inet", table);
        Nft("add", "chain", "inet", table, "out", "{ type filter hook output priority 0 ; }");
        Nft("add", "rule", "inet", table, "out", "ip", "daddr", AgentAddress(i), "drop");
        _partitioned = true;
    }

    public void Dispose()
    {
        if (_partitioned)
        {
            Nft("delete", "table", "inet", $"bevt{_id}");
        }

        foreach (var agent in _agents.Where(a => a is not null))
        {
            if (!agent.HasExited)
            {
                agent.Kill();
                agent.WaitForExit(5000);
            }

            agent.Dispose();
        }

        for (var i = 1; i <= _count; i++)
        {
            RunQuietly("ip", "netns", "delete", Namespace(i));
        }

        _data.ForEach(d => d.Dispose());
    }

    private static void Nft(params string[] args)
    {
        var (code, output) = RunQuietly("nft", args);
        Assert.True(code == 0, $"nft {string.Join(' ', args)}: {output}");
    }

    private static (int Code, string Output) RunQuietly(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.ToString(CultureInfo.InvariantCulture));
    }
}
