using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Bev.Chaos.Configuration;
using Bev.Chaos.Scenarios;
using Bev.Chaos.TestSupport;

namespace Bev.Chaos.Server.Tests;

/// <summary>The auth matrix and the audit log, over real HTTP.</summary>
public sealed class AuthTests : IAsyncLifetime
{
    private const string Viewer = "viewer-token-0123456789";
    private const string Operator = "operator-token-0123456789";
    private const string Admin = "admin-token-0123456789";
    private readonly TestProcess _target = TestProcess.Sleeper();
    private ServerUnderTest _running = null!;

    public async ValueTask InitializeAsync()
    {
        var configuration = new ChaosConfiguration
        {
            ApiTokens = [new ApiToken("dana", Viewer, ApiRole.Viewer), new ApiToken("ops-bot", Operator, ApiRole.Operator), new ApiToken("root-admin", Admin, ApiRole.Admin)],
        };
        _running = await ServerUnderTest.StartAsync(configuration);
    }

    public async ValueTask DisposeAsync()
    {
        await _running.DisposeAsync();
        _target.Dispose();
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, string? token, string? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var response = await _running.Http.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private string Fault => $$"""{"injector_name":"service_pause","target_service":"pid:{{_target.Pid}}","duration_seconds":30}""";

    [Fact]
    public async Task Matrix_RolesGateTheEndpoints()
    {
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, "/health", null)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(HttpMethod.Get, "/status", null)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(HttpMethod.Get, "/status", "not-a-token-at-all")).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, "/status", Viewer)).Status);

        var (forbidden, error) = await SendAsync(HttpMethod.Post, "/faults", Viewer, Fault);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden);
        Assert.Equal("operator", error.GetProperty("allowed").GetString());
        Assert.True(_target.State is 'R' or 'S', "running again (R or S): not stopped, not gone");

        Assert.Equal(HttpStatusCode.Created, (await SendAsync(HttpMethod.Post, "/faults", Operator, Fault)).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Post, "/emergency-stop", Operator)).Status);
        Assert.True(_target.State is 'R' or 'S', "running again (R or S): not stopped, not gone");
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Delete, "/emergency-stop", Operator)).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Delete, "/emergency-stop", Admin)).Status);
        Assert.Null(await _running.Engine.SafetyLock.GetAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task OpenApi_ServedFromItsFirstAnswer_StillNeedsTheToken()
    {
        var (first, document) = await SendAsync(HttpMethod.Get, "/openapi.json", Viewer);
        Assert.Equal(HttpStatusCode.OK, first);

        // The second answer is the cached bytes of the first; the access check still comes before it.
        var (second, again) = await SendAsync(HttpMethod.Get, "/openapi.json", Viewer);
        Assert.Equal(HttpStatusCode.OK, second);
        Assert.Equal(document.GetRawText(), again.GetRawText());
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(HttpMethod.Get, "/openapi.json", null)).Status);
    }

    [Fact]
    public async Task Audit_NewEntriesShow_ThoughUnchangedPagesAreNotQueriedAgain()
    {
        var (_, before) = await SendAsync(HttpMethod.Get, "/audit", Viewer);
        var (again, same) = await SendAsync(HttpMethod.Get, "/audit", Viewer);
        Assert.Equal(HttpStatusCode.OK, again);
        Assert.Equal(before.GetRawText(), same.GetRawText());

        Assert.Equal(HttpStatusCode.Created, (await SendAsync(HttpMethod.Post, "/faults", Operator, Fault)).Status);

        var (_, after) = await SendAsync(HttpMethod.Get, "/audit", Viewer);
        Assert.Equal(before.GetArrayLength() + 1, after.GetArrayLength());
        Assert.Equal(("ops-bot", "POST /faults", 201), Newest(after));
        static (string?, string?, int) Newest(JsonElement audit) =>
            audit.EnumerateArray().Select(e => (e.GetProperty("who").GetString(), e.GetProperty("action").GetString(), e.GetProperty("status").GetInt32())).First();
    }

    [Fact]
    public async Task Audit_RecordsEveryMutatingCallWithWhoAndResult()
    {
        await SendAsync(HttpMethod.Post, "/faults", Viewer, Fault);
        await SendAsync(HttpMethod.Post, "/faults", null, Fault);
        var (_, created) = await SendAsync(HttpMethod.Post, "/faults", Operator, Fault);
        await SendAsync(HttpMethod.Delete, $"/faults/{created.GetProperty("fault_id").GetString()}", Operator);
        await SendAsync(HttpMethod.Get, "/faults", Viewer);

        var (status, audit) = await SendAsync(HttpMethod.Get, "/audit", Viewer);

        Assert.Equal(HttpStatusCode.OK, status);
        var entries = audit.EnumerateArray().Select(e => (e.GetProperty("who").GetString(), e.GetProperty("action").GetString(), e.GetProperty("status").GetInt32())).Reverse().ToList();
        Assert.Equal(
            [
                ("dana", "POST /faults", 403),
                ("anonymous", "POST /faults", 401),
                ("ops-bot", "POST /faults", 201),
                ("ops-bot", $"DELETE /faults/{created.GetProperty("fault_id").GetString()}", 200),
            ],
            entries);

        // Listings page: the second and third newest.
        var (_, page) = await SendAsync(HttpMethod.Get, "/audit?limit=2&offset=1", Viewer);
        Assert.Equal([201, 401], page.EnumerateArray().Select(e => e.GetProperty("status").GetInt32()));
    }
}
