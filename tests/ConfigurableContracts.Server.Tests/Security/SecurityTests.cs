using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ConfigurableContracts.Core.Security;
using ConfigurableContracts.Server.Tests.Contracts;
using Microsoft.Extensions.Options;

namespace ConfigurableContracts.Server.Tests.Security;

public sealed class SecurityTests(ServerFactory server) : IClassFixture<ServerFactory>
{
    [Fact]
    public async Task Api_AnswersUnauthorizedProblem_WithoutAKey()
    {
        using var client = server.CreateClient();

        using var response = await client.GetAsync("/api/contracts");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("X-Api-Key", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_AnswersUnauthorized_ForAnUnknownKey()
    {
        using var client = server.ClientWithKey(ApiKeySecret.Generate());

        using var response = await client.GetAsync("/api/me");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Bootstrap_WritesAnOwnerOnlyAdminKey_ForThePlatformOrganisation()
    {
        using var client = server.ClientWithKey(server.AdminKey);

        var me = await client.GetFromJsonAsync<JsonElement>("/api/me");

        Assert.Equal(("platform", "admin"), (me.GetProperty("organisationId").GetString(), me.GetProperty("role").GetString()));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(server.BootstrapKeyFile));
        }
    }

    [Fact]
    public async Task IssuedKey_ActsForItsOrganisationAndRole_UntilRevoked()
    {
        using var admin = server.ClientWithKey(server.AdminKey);
        using var caller = await server.CallerAsync(Roles.Auditor, "revision");

        var me = await caller.Client.GetFromJsonAsync<JsonElement>("/api/me");
        using var revoke = await admin.DeleteAsync($"/api/organisations/{caller.OrganisationId}/keys/{caller.KeyId}");
        using var afterwards = await caller.Client.GetAsync("/api/me");
        var listed = await admin.GetFromJsonAsync<JsonElement>($"/api/organisations/{caller.OrganisationId}/keys");

        Assert.Equal((caller.OrganisationId, "auditor", caller.KeyId), (me.GetProperty("organisationId").GetString(), me.GetProperty("role").GetString(), me.GetProperty("keyId").GetString()));
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, afterwards.StatusCode);
        Assert.NotEqual(JsonValueKind.Null, listed[0].GetProperty("revokedAt").ValueKind);
        Assert.False(listed[0].TryGetProperty("secret", out _));
    }

    [Fact]
    public async Task AdminEndpoints_AreForbidden_ToOtherRoles()
    {
        using var commissioner = await server.CallerAsync(Roles.Commissioner, "kommun");

        using var createOrganisation = await commissioner.Client.PostAsJsonAsync("/api/organisations", new { id = "sneaky", name = "Sneaky" });
        using var createKey = await commissioner.Client.PostAsJsonAsync($"/api/organisations/{commissioner.OrganisationId}/keys", new { role = "admin" });

        Assert.Equal(HttpStatusCode.Forbidden, createOrganisation.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, createKey.StatusCode);
    }

    [Fact]
    public async Task CreateOrganisation_ReportsJsonPaths_AndConflictOnTakenId()
    {
        using var admin = server.ClientWithKey(server.AdminKey);

        using var invalid = await admin.PostAsJsonAsync("/api/organisations", new { id = "Not Valid", name = "" });
        using var taken = await admin.PostAsJsonAsync("/api/organisations", new { id = "platform", name = "Again" });
        using var badRole = await admin.PostAsJsonAsync("/api/organisations/platform/keys", new { role = "root" });

        Assert.Equal(["$.id", "$.name"], await ContractScenario.ErrorPathsAsync(invalid));
        Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);
        Assert.Equal(["$.role"], await ContractScenario.ErrorPathsAsync(badRole));
    }

    [Fact]
    public async Task OpenApiDocument_DeclaresTheApiKeyScheme()
    {
        using var client = server.CreateClient();

        var document = await client.GetFromJsonAsync<JsonElement>("/swagger/v1/swagger.json");

        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");
        Assert.Equal(("apiKey", "header", "X-Api-Key"), (scheme.GetProperty("type").GetString(), scheme.GetProperty("in").GetString(), scheme.GetProperty("name").GetString()));
        Assert.True(document.GetProperty("paths").TryGetProperty("/api/contracts/{contractId}/participants:bulk", out _));
    }
}

public sealed class BootstrapOptionsTests
{
    [Fact]
    public void Startup_Fails_NamingTheBadValue_WhenTheBootstrapOrganisationIdIsInvalid()
    {
        using var factory = ServerFactory.WithSettings(new Dictionary<string, string?> { ["Security:Bootstrap:OrganisationId"] = "Platform Org" });

        var error = Assert.Throws<OptionsValidationException>(() => factory.CreateClient());

        Assert.Contains("'Platform Org'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bootstrap_WritesNoFile_WhenDisabled()
    {
        using var factory = ServerFactory.WithSettings(new Dictionary<string, string?> { ["Security:Bootstrap:Enabled"] = "false" });
        using var client = factory.CreateClient();

        using var health = await client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.False(File.Exists(factory.BootstrapKeyFile));
    }
}
