using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ConfigurableContracts.Core.Security;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigurableContracts.Server.Tests.Security;

/// <summary>
/// The admin role belongs to the platform organisation alone: an admin reads every organisation's audit entries,
/// so an admin key for a municipality or a provider is neither issued nor accepted.
/// </summary>
public sealed class AdminRoleTests(ServerFactory server) : IClassFixture<ServerFactory>
{
    [Fact]
    public async Task CreateKey_RefusesTheAdminRole_ForAnOrganisationOtherThanThePlatform()
    {
        using var provider = await server.CallerAsync(Roles.Provider, "forening");
        using var admin = server.ClientWithKey(server.AdminKey);

        using var response = await admin.PostAsJsonAsync($"/api/organisations/{provider.OrganisationId}/keys", new { role = Roles.Admin, label = "escalation" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var error = problem.GetProperty("errors").GetProperty("$.role")[0].GetString();
        Assert.Contains("only for the platform organisation 'platform'", error, StringComparison.Ordinal);
        var keys = await admin.GetFromJsonAsync<JsonElement>($"/api/organisations/{provider.OrganisationId}/keys");
        Assert.DoesNotContain(keys.EnumerateArray(), k => k.GetProperty("role").GetString() == Roles.Admin);
    }

    [Fact]
    public async Task CreateKey_IssuesTheAdminRole_ForThePlatformOrganisation()
    {
        using var admin = server.ClientWithKey(server.AdminKey);

        using var response = await admin.PostAsJsonAsync("/api/organisations/platform/keys", new { role = Roles.Admin, label = "second operator" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task AdminKeyOfAnotherOrganisation_IssuedBeforeTheRule_IsUnauthorized()
    {
        using var provider = await server.CallerAsync(Roles.Provider, "legacy");
        // As an older version (or a hand-edited database) could have issued it.
        var legacy = await server.Services.GetRequiredService<ApiKeyStore>().CreateAsync(provider.OrganisationId, Roles.Admin, "legacy");
        using var client = server.ClientWithKey(legacy!.Secret);

        using var audit = await client.GetAsync("/api/audit");
        using var me = await client.GetAsync("/api/me");

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized), (audit.StatusCode, me.StatusCode));
    }
}
