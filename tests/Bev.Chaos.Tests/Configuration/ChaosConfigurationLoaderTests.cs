using Bev.Chaos.Configuration;

namespace Bev.Chaos.Tests.Configuration;

public sealed class ChaosConfigurationLoaderTests
{
    private const string Full = """
        global:
          max_concurrent_experiments: 5
          safety_check_interval: 15
          emergency_stop_threshold: 0.3
          max_fault_duration: 10m
        fault_injectors:
          cpu_stress:
            enabled: true
            max_cpu_load: 80
          network_delay:
            enabled: false
            max_delay_ms: 2000
        integration:
          auto_recovery_url: http://127.0.0.1:9000/status
          health_monitor_url: http://127.0.0.1:9001/metrics
        safety:
          production_mode: true
          require_approval_for_critical: true
          auto_rollback_enabled: true
          safety_monitoring_interval: 2s
          max_cpu_usage: 85
          max_memory_usage: 80
          max_error_rate: 20
          max_response_time: 1500ms
        targets:
          web-server:
            kind: process
            command: ["/bin/sleep", "600"]
            restart: always
            port: 8081
            health_url: http://127.0.0.1:8081/health
          redis:
            process_name: redis-server
            protected: true
        """;

    [Fact]
    public void Parse_EveryContractKey_ReadsValues()
    {
        var config = ChaosConfigurationLoader.Parse(Full, "chaos.yaml");

        Assert.Equal(5, config.Global.MaxConcurrentExperiments);
        Assert.Equal(TimeSpan.FromSeconds(15), config.Global.SafetyCheckInterval);
        Assert.Equal(0.3, config.Global.EmergencyStopThreshold);
        Assert.Equal(TimeSpan.FromMinutes(10), config.Global.MaxFaultDuration);
        Assert.Equal(80, config.FaultInjectors["cpu_stress"].Caps["max_cpu_load"]);
        Assert.False(config.FaultInjectors["network_delay"].Enabled);
        Assert.Equal(new Uri("http://127.0.0.1:9000/status"), config.Integration.AutoRecoveryUrl);
        Assert.True(config.Safety.ProductionMode);
        Assert.Equal(TimeSpan.FromSeconds(2), config.Safety.SafetyMonitoringInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), config.Safety.MaxResponseTime);
        Assert.Equal(20, config.Safety.MaxErrorRate);
        Assert.Equal(["/bin/sleep", "600"], config.Targets["web-server"].Command);
        Assert.Equal(RestartPolicy.Always, config.Targets["web-server"].Restart);
        Assert.Equal(8081, config.Targets["web-server"].Port);
        Assert.True(config.Targets["redis"].Protected);
        Assert.Equal("redis-server", config.Targets["redis"].ProcessName);
    }

    [Fact]
    public void Parse_EmptyDocument_GivesLoopbackSafeDefaults()
    {
        var config = ChaosConfigurationLoader.Parse(string.Empty, "empty.yaml");

        Assert.Equal(3, config.Global.MaxConcurrentExperiments);
        Assert.Null(config.Integration.AutoRecoveryUrl);
        Assert.Null(config.Integration.HealthMonitorUrl);
        Assert.Empty(config.Targets);
        Assert.True(config.Safety.AutoRollbackEnabled);
    }

    [Fact]
    public void LoadFile_ShippedDefaultConfig_IsValid()
    {
        var path = Path.Combine(RepoRoot(), "config", "chaos_engineer.yaml");

        var config = ChaosConfigurationLoader.LoadFile(path);

        Assert.True(config.Global.MaxConcurrentExperiments >= 1);
        Assert.All(config.Targets.Values.Where(t => t.HealthUrl is not null), t => Assert.True(t.HealthUrl!.IsLoopback, $"{t.Name} health_url must be loopback"));
    }

    [Fact]
    public void Parse_UnknownKey_NamesFileLineAndKey()
    {
        var error = Assert.Throws<ChaosValidationException>(() => ChaosConfigurationLoader.Parse("global:\n  max_concurent_experiments: 3\n", "chaos.yaml"));

        var single = Assert.Single(error.Errors);
        Assert.Equal("chaos.yaml:2: global.max_concurent_experiments: '3' is not allowed; allowed: no such key here; known keys: default_fault_duration, emergency_stop_threshold, max_concurrent_experiments, max_fault_duration, safety_check_interval", single.ToString());
    }

    [Fact]
    public void Parse_SeveralProblems_ReportsEveryOneAtOnce()
    {
        const string yaml = """
            global:
              max_concurrent_experiments: 0
              emergency_stop_threshold: 1.5
            safety:
              max_cpu_usage: high
            bogus: 1
            """;

        var error = Assert.Throws<ChaosValidationException>(() => ChaosConfigurationLoader.Parse(yaml, "c.yaml"));

        Assert.Equal(
            [
                "c.yaml:2: global.max_concurrent_experiments: '0' is not allowed; allowed: a whole number from 1 to 100",
                "c.yaml:3: global.emergency_stop_threshold: '1.5' is not allowed; allowed: a number from 0 to 1",
                "c.yaml:5: safety.max_cpu_usage: 'high' is not allowed; allowed: a percentage from 1 to 100 (e.g. 50 or 50%)",
                "c.yaml:6: bogus: '1' is not allowed; allowed: no such key here; known keys: agents, auth, docker, fault_injectors, global, integration, proxy, safety, schedules, targets",
            ],
            error.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Parse_TargetWithTwoWaysToFindIt_IsAnError()
    {
        const string yaml = """
            targets:
              api:
                pid: 42
                process_name: api
            """;

        var error = Assert.Throws<ChaosValidationException>(() => ChaosConfigurationLoader.Parse(yaml, "t.yaml"));

        Assert.Equal("t.yaml:3: targets.api: '2 ways' is not allowed; allowed: exactly one of command, pid_file, pid, process_name", Assert.Single(error.Errors).ToString());
    }

    [Fact]
    public void Parse_DockerTargetAndHost_AreReadAndCheckedTogether()
    {
        var config = ChaosConfigurationLoader.Parse("""
            docker:
              host: unix:///run/my-docker.sock
            targets:
              web:
                kind: docker
                container: "label:app=web"
            """, "d.yaml");
        Assert.Equal(("unix:///run/my-docker.sock", TargetKind.Docker, "label:app=web"), (config.DockerHost, config.Targets["web"].Kind, config.Targets["web"].Container));

        var error = Assert.Throws<ChaosValidationException>(() => ChaosConfigurationLoader.Parse("""
            docker:
              host: ftp://nowhere
            targets:
              web:
                kind: docker
            """, "d.yaml"));

        Assert.Equal(
            [
                "d.yaml:5: targets.web.container: missing; allowed: the container to select: a name, an id, or label:KEY=VALUE",
                "d.yaml:2: docker.host: 'ftp://nowhere' is not allowed; allowed: unix:///PATH/docker.sock, or tcp://HOST:PORT",
            ],
            error.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Parse_AgentsAndAgentTargets_AreReadAndChecked()
    {
        var config = ChaosConfigurationLoader.Parse("""
            agents:
              edge-1: { url: "http://127.0.0.1:8181", token: "0123456789abcdef0123", lease: 5s }
            targets:
              collector: { kind: agent, host: edge-1, service: "docker:collector" }
            """, "a.yaml");
        Assert.Equal((new Uri("http://127.0.0.1:8181"), TimeSpan.FromSeconds(5)), (config.Agents["edge-1"].Url, config.Agents["edge-1"].Lease));
        Assert.Equal(("edge-1", "docker:collector"), (config.Targets["collector"].Host, config.Targets["collector"].Service));

        var error = Assert.Throws<ChaosValidationException>(() => ChaosConfigurationLoader.Parse("""
            agents:
              edge-1: { url: "http://127.0.0.1:8181", token: "short" }
            targets:
              collector: { kind: agent, host: edge-1 }
            """, "a.yaml"));

        Assert.Equal(
            [
                "a.yaml:4: targets.collector.service: missing; allowed: the target on that agent's host: its catalog name, pid:N, name:X or docker:C",
                "a.yaml:2: agents.edge-1.token: '(too short)' is not allowed; allowed: the agent's secret of 16 characters or more (token, or token_env naming a set environment variable)",
            ],
            error.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Parse_BadUrlAndKind_AreErrors()
    {
        const string yaml = """
            integration:
              health_monitor_url: ftp://127.0.0.1/x
            targets:
              api:
                kind: vm
                pid: 4
            """;

        var error = Assert.Throws<ChaosValidationException>(() => ChaosConfigurationLoader.Parse(yaml, "u.yaml"));

        Assert.Equal(
            [
                "u.yaml:2: integration.health_monitor_url: 'ftp://127.0.0.1/x' is not allowed; allowed: an absolute http:// or https:// URL",
                "u.yaml:5: targets.api.kind: 'vm' is not allowed; allowed: process, docker, agent",
            ],
            error.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Parse_MalformedYaml_NamesTheLine()
    {
        var error = Assert.Throws<ChaosValidationException>(() => ChaosConfigurationLoader.Parse("global:\n  a: [1, 2\n", "bad.yaml"));

        Assert.StartsWith("bad.yaml:", Assert.Single(error.Errors).Location);
    }

    [Fact]
    public void Parse_AuthTokens_ReadRolesAndRejectShortSecrets()
    {
        const string yaml = """
            auth:
              tokens:
                - { name: ops, token: "0123456789abcdef0123", role: operator }
                - { name: weak, token: "short", role: admin }
                - { name: odd, token: "0123456789abcdef0123", role: owner }
            """;

        var error = Assert.Throws<ChaosValidationException>(() => ChaosConfigurationLoader.Parse(yaml, "a.yaml"));

        Assert.Equal(
            [
                "a.yaml:4: auth.tokens[1].token: '(too short)' is not allowed; allowed: a secret of 16 characters or more (token, or token_env naming a set environment variable)",
                "a.yaml:5: auth.tokens[2].role: 'owner' is not allowed; allowed: viewer, operator, admin",
            ],
            error.Errors.Select(e => e.ToString()));
        Assert.Equal(ApiRole.Operator, ChaosConfigurationLoader.Parse("auth:\n  tokens:\n    - { name: ops, token: \"0123456789abcdef0123\", role: operator }\n", "b.yaml").ApiTokens[0].Role);
    }

    [Fact]
    public void Parse_ListItemThatIsNotAMapping_IsAnErrorNotSkipped()
    {
        const string yaml = """
            auth:
              tokens:
                - ops-0123456789abcdef
            schedules:
              - nightly
            """;

        var error = Assert.Throws<ChaosValidationException>(() => ChaosConfigurationLoader.Parse(yaml, "a.yaml"));

        Assert.Collection(
            error.Errors.Select(e => e.ToString()),
            e => Assert.Matches(@"^a\.yaml:5: schedules\[0\]: .*nightly.* is not allowed; allowed: a mapping with name, scenario, cron$", e),
            e => Assert.Matches(@"^a\.yaml:3: auth\.tokens\[0\]: .*ops-0123456789abcdef.* is not allowed; allowed: a mapping \{name, token or token_env, role\}$", e));
    }

    [Fact]
    public void Parse_ProxySection_ReadsAddressesAndLimit()
    {
        const string yaml = """
            proxy:
              allowed_listen_addresses: [192.0.2.10, "::"]
              max_proxies: 5
            """;

        var proxy = ChaosConfigurationLoader.Parse(yaml, "p.yaml").Proxy;

        Assert.Equal([System.Net.IPAddress.Parse("192.0.2.10"), System.Net.IPAddress.IPv6Any], proxy.AllowedListenAddresses);
        Assert.Equal(5, proxy.MaxProxies);
        Assert.Empty(ChaosConfigurationLoader.Parse("global: {}", "d.yaml").Proxy.AllowedListenAddresses);
        Assert.Equal(1000, ChaosConfigurationLoader.Parse("global: {}", "d.yaml").Proxy.MaxProxies);
    }

    [Fact]
    public void Parse_ProxySection_BadAddressAndLimit_NameBoth()
    {
        const string yaml = """
            proxy:
              allowed_listen_addresses: [everywhere]
              max_proxies: 0
            """;

        var error = Assert.Throws<ChaosValidationException>(() => ChaosConfigurationLoader.Parse(yaml, "p.yaml"));

        Assert.Contains(error.Errors, e => e.Field == "proxy.allowed_listen_addresses" && e.Value == "everywhere");
        Assert.Contains(error.Errors, e => e.Field == "proxy.max_proxies");
    }

    internal static string RepoRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "Bev.Chaos.slnx")))
        {
            dir = Path.GetDirectoryName(dir) ?? throw new InvalidOperationException("repository root not found");
        }

        return dir;
    }
}
