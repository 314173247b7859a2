using System.Net;
using System.Net.Http.Json;
using ConfigurableContracts.Core.Audit;
using ConfigurableContracts.Core.Security;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigurableContracts.Server.Tests.Security;

/// <summary>
/// A token's subject is stored as who acted (created_by, recorded_by, reviewed_by, the audit log's subject). An
/// identity provider that uses the personal identity number as subject is refused, with a message that says which
/// setting to change, and the refusal's audit entry does not hold the number.
/// </summary>
public sealed class TokenSubjectPrivacyTests(JwtServer jwt) : IClassFixture<JwtServer>
{
    [Theory]
    [InlineData("121212-1212")]
    [InlineData("191212121212")]
    public async Task TokenWhoseSubjectIsAnIdentityNumber_IsRefused_AndNotStored(string subject)
    {
        using var organisation = await jwt.Server.CallerAsync(Roles.Provider, "bankid");
        using var client = jwt.ClientWithToken(jwt.Token(JwtServer.Claims(subject, organisation.OrganisationId, "Forening.Utforare")));

        using var me = await client.GetAsync("/api/me");
        using var write = await client.PostAsJsonAsync("/api/contracts/any/participants", new { pseudonym = "HV-1" });

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized), (me.StatusCode, write.StatusCode));
        var entries = await jwt.Server.Services.GetRequiredService<AuditLog>().QueryAsync(new AuditQuery(Limit: 100_000));
        Assert.DoesNotContain(entries, e => e.Subject.Contains(subject, StringComparison.Ordinal));
        Assert.Contains(jwt.Server.LogMessages, m => m.Contains("SubjectClaim", StringComparison.Ordinal));
    }
}
