using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using ConfigurableContracts.Core.Security;
using ConfigurableContracts.Server.Tests.Contracts;
using Microsoft.Extensions.Options;

namespace ConfigurableContracts.Server.Tests.Security;

public sealed class JwtBearerTests(JwtServer jwt) : IClassFixture<JwtServer>
{
    [Fact]
    public async Task ValidToken_ActsAsItsOrganisationAndMappedRole_WithTheSubjectAsActor()
    {
        using var organisation = await jwt.Server.CallerAsync(Roles.Auditor, "kommun");
        using var client = jwt.ClientWithToken(jwt.Token(JwtServer.Claims("anna.revisor", organisation.OrganisationId, "Kommun.Revisor", "Other.App.Role")));

        var me = await client.GetFromJsonAsync<JsonElement>("/api/me");

        Assert.Equal(
            (organisation.OrganisationId, "auditor", "anna.revisor"),
            (me.GetProperty("organisationId").GetString(), me.GetProperty("role").GetString(), me.GetProperty("keyId").GetString()));
    }

    [Fact]
    public async Task ExpiredToken_IsUnauthorized()
    {
        using var response = await MeAsync(claims => jwt.Token(claims, validFor: TimeSpan.FromMinutes(5), issuedAt: jwt.Time.GetUtcNow().AddMinutes(-7)));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenWithinTheClockSkew_IsStillAccepted()
    {
        using var response = await MeAsync(claims => jwt.Token(claims, validFor: TimeSpan.FromMinutes(5), issuedAt: jwt.Time.GetUtcNow().AddMinutes(-5.5)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task TokenForAnotherAudience_IsUnauthorized()
    {
        using var response = await MeAsync(claims => jwt.Token(claims, audience: "some-other-api"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task TokenSignedWithAnotherKey_IsUnauthorized_EvenUnderTheSameKeyId()
    {
        using var forger = RSA.Create(2048);

        using var response = await MeAsync(claims => jwt.Token(claims, signWith: forger));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("no-organisation")]
    [InlineData("unknown-organisation")]
    [InlineData("no-role-of-ours")]
    [InlineData("two-roles")]
    [InlineData("no-subject")]
    public async Task TokenWithoutAUsableOrganisationRoleOrSubject_IsUnauthorized_NeverGivenADefault(string flaw)
    {
        using var organisation = await jwt.Server.CallerAsync(Roles.Auditor, "kommun");
        var claims = JwtServer.Claims("anna", organisation.OrganisationId, "Kommun.Revisor");
        switch (flaw)
        {
            case "no-organisation": claims.Remove("organisation"); break;
            case "unknown-organisation": claims["organisation"] = "nobody-knows-this"; break;
            case "no-role-of-ours": claims["roles"] = new[] { "Other.App.Role" }; break;
            case "two-roles": claims["roles"] = new[] { "Kommun.Revisor", "Kommun.Bestallare" }; break;
            default: claims.Remove("sub"); break;
        }

        using var client = jwt.ClientWithToken(jwt.Token(claims));

        using var response = await client.GetAsync("/api/me");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task ApiKeys_KeepWorking_AndARequestWithBothCredentialsIsRefused()
    {
        using var caller = await jwt.Server.CallerAsync(Roles.Auditor, "kommun");
        using var both = jwt.Server.CreateClient();
        both.DefaultRequestHeaders.Add("X-Api-Key", jwt.Server.AdminKey);
        both.DefaultRequestHeaders.Authorization = new("Bearer", jwt.Token(JwtServer.Claims("anna", caller.OrganisationId, "Kommun.Revisor")));

        using var withKey = await caller.Client.GetAsync("/api/me");
        using var withBoth = await both.GetAsync("/api/me");

        Assert.Equal(HttpStatusCode.OK, withKey.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, withBoth.StatusCode);
    }

    [Fact]
    public async Task ProviderToken_ReachesNothingOfAnotherProvider_WhateverIdItSends()
    {
        await using var scenario = await ContractScenario.CreateAsync(jwt.Server);
        var contractId = (await scenario.ContractAsync()).GetProperty("id").GetString()!;
        var theirs = await ContractScenario.EnrolAsync(scenario.ProviderB, contractId, "HV-B001");
        using var providerA = jwt.ClientWithToken(jwt.Token(JwtServer.Claims("erik.a", scenario.ProviderA.OrganisationId, "Forening.Utforare")));

        using var enrolled = await providerA.PostAsJsonAsync($"/api/contracts/{contractId}/participants", ContractScenario.Participant("HV-A001"));
        using var read = await providerA.GetAsync($"/api/contracts/{contractId}/participants/{theirs}");
        using var measurements = await providerA.GetAsync($"/api/contracts/{contractId}/participants/{theirs}/measurements");
        using var measure = await providerA.PostAsJsonAsync(
            $"/api/contracts/{contractId}/participants/{theirs}/measurements", ContractScenario.Measurement("HV-B001", "baseline", "2022-01-12", 3));
        var listed = await providerA.GetStringAsync($"/api/contracts/{contractId}/participants");

        Assert.Equal(HttpStatusCode.Created, enrolled.StatusCode);
        Assert.Equal("erik.a", (await ContractScenario.Json(enrolled)).GetProperty("createdBy").GetString());
        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound), (read.StatusCode, measurements.StatusCode, measure.StatusCode));
        Assert.Contains("HV-A001", listed, StringComparison.Ordinal);
        Assert.DoesNotContain("HV-B001", listed, StringComparison.Ordinal);
        Assert.DoesNotContain(theirs, listed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenMappingAdmin_ToAnOrganisationOtherThanThePlatform_IsUnauthorized()
    {
        using var organisation = await jwt.Server.CallerAsync(Roles.Auditor, "kommun");
        using var client = jwt.ClientWithToken(jwt.Token(JwtServer.Claims("eve", organisation.OrganisationId, "Plattform.Admin")));

        using var me = await client.GetAsync("/api/me");
        using var audit = await client.GetAsync("/api/audit");

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized), (me.StatusCode, audit.StatusCode));
    }

    [Fact]
    public async Task TokenMappingAdmin_ToThePlatformOrganisation_ActsAsAdmin()
    {
        using var client = jwt.ClientWithToken(jwt.Token(JwtServer.Claims("ops", "platform", "Plattform.Admin")));

        var me = await client.GetFromJsonAsync<JsonElement>("/api/me");

        Assert.Equal(("platform", "admin"), (me.GetProperty("organisationId").GetString(), me.GetProperty("role").GetString()));
    }

    /// <summary><c>GET /api/me</c> with a token made by <paramref name="sign"/> from an auditor's claims at a fresh organisation.</summary>
    private async Task<HttpResponseMessage> MeAsync(Func<Dictionary<string, object>, string> sign)
    {
        using var organisation = await jwt.Server.CallerAsync(Roles.Auditor, "kommun");
        using var client = jwt.ClientWithToken(sign(JwtServer.Claims("anna", organisation.OrganisationId, "Kommun.Revisor")));
        return await client.GetAsync("/api/me");
    }
}

public sealed class JwtOptionsTests
{
    [Fact]
    public void Startup_Fails_QuotingEveryBadValue()
    {
        var settings = JwtServer.Settings("no/such/jwks.json");
        settings["Authentication:Jwt:Audience"] = "";
        settings["Authentication:Jwt:Issuer"] = "";
        settings["Authentication:Jwt:Authority"] = "http://idp.example/realms/x";
        settings["Authentication:Jwt:RoleMap:Kommun.Root"] = "root";
        using var factory = ServerFactory.WithSettings(settings);

        var error = Assert.Throws<OptionsValidationException>(() => factory.CreateClient());

        Assert.Contains("Audience ''", error.Message, StringComparison.Ordinal);
        Assert.Contains("JwksFile 'no/such/jwks.json' does not exist", error.Message, StringComparison.Ordinal);
        Assert.Contains("Issuer ''", error.Message, StringComparison.Ordinal);
        Assert.Contains("Authority 'http://idp.example/realms/x' is not https", error.Message, StringComparison.Ordinal);
        Assert.Contains("RoleMap:Kommun.Root 'root' is not a role", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BearerTokens_AreIgnored_WhenNotEnabled()
    {
        using var factory = new ServerFactory();
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.");

        using var response = await client.GetAsync("/api/me");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
