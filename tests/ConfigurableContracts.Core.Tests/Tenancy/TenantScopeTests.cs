using System.Text.RegularExpressions;
using ConfigurableContracts.Core.Security;
using ConfigurableContracts.Core.Tenancy;

namespace ConfigurableContracts.Core.Tests.Tenancy;

/// <summary>
/// The scoping rule itself, role by role: the stores' own suites check it against rows, these pin what each role's
/// predicate says, so a change to who sees what shows up as a change here.
/// </summary>
public sealed partial class TenantScopeTests
{
    private static readonly Caller Commissioner = new("kommun", Roles.Commissioner, "k1");
    private static readonly Caller Auditor = new("kommun", Roles.Auditor, "k2");
    private static readonly Caller Provider = new("forening", Roles.Provider, "k3");
    private static readonly Caller Admin = new("platform", Roles.Admin, "k4");
    private static readonly Caller Designer = new("kommun", Roles.Designer, "k5");

    public static TheoryData<string> AllRoles => [.. Roles.All];

    [Fact]
    public void Contracts_AreThoseTheOrganisationCommissions_ForCommissionersAndAuditors()
    {
        Assert.Equal("c.commissioner_id = @CallerOrganisation", TenantScope.Contracts(Commissioner, "c"));
        Assert.Equal("c.commissioner_id = @CallerOrganisation", TenantScope.Contracts(Auditor, "c"));
    }

    [Fact]
    public void Contracts_AreThoseThatNameTheOrganisation_ForProviders() =>
        Assert.Equal(
            "EXISTS (SELECT 1 FROM contract_providers s WHERE s.contract_id = c.id AND s.provider_id = @CallerOrganisation)",
            TenantScope.Contracts(Provider, "c"));

    [Fact]
    public void ContractRows_AreTheProvidersOwn_ForProviders() =>
        Assert.Equal("m.provider_id = @CallerOrganisation", TenantScope.ContractRows(Provider, "m"));

    [Fact]
    public void ContractRows_AreEveryRowOfCommissionedContracts_ForCommissionersAndAuditors()
    {
        const string Expected = "EXISTS (SELECT 1 FROM contracts s WHERE s.id = d.contract_id AND s.commissioner_id = @CallerOrganisation)";
        Assert.Equal(Expected, TenantScope.ContractRows(Commissioner, "d"));
        Assert.Equal(Expected, TenantScope.ContractRows(Auditor, "d"));
    }

    [Fact]
    public void AdminsAndDesigners_SeeNoContractData()
    {
        foreach (var caller in new[] { Admin, Designer })
        {
            Assert.Equal("1 = 0", TenantScope.Contracts(caller, "c"));
            Assert.Equal("1 = 0", TenantScope.ContractRows(caller, "p"));
        }
    }

    [Fact]
    public void AuditEntries_AreUnscopedForAnAdmin_AndByCommissionedContractOrOwnOrganisationForEveryoneElse()
    {
        Assert.Null(TenantScope.AuditEntries(Admin, "a"));
        Assert.Equal(
            "(a.contract_id IN (SELECT c.id FROM contracts c WHERE c.commissioner_id = @CallerOrganisation) " +
            "OR (a.contract_id IS NULL AND a.organisation_id = @CallerOrganisation))",
            TenantScope.AuditEntries(Provider, "a"));
    }

    [Fact]
    public void KeepsRowOf_KeepsAProvidersOwnRowsOnly_AndEveryRowForTheCommissioner()
    {
        Assert.True(TenantScope.KeepsRowOf(Provider, "forening"));
        Assert.False(TenantScope.KeepsRowOf(Provider, "annan"));
        Assert.False(TenantScope.KeepsRowOf(Provider, null));
        Assert.True(TenantScope.KeepsRowOf(Commissioner, "annan"));
        Assert.True(TenantScope.KeepsRowOf(Auditor, null));
    }

    [Theory]
    [MemberData(nameof(AllRoles))]
    public void EveryPredicate_BindsOnlyTheOneParameter(string role)
    {
        var caller = new Caller("org", role, "k");
        var sql = string.Join(
            " ",
            TenantScope.Contracts(caller, "c"),
            TenantScope.ContractRows(caller, "r"),
            TenantScope.Commissions("c"),
            TenantScope.Delivers("r"),
            TenantScope.AuditEntries(caller, "a") ?? "");

        Assert.All(Parameters().Matches(sql), match => Assert.Equal(TenantScope.Parameter, match.Value));
    }

    [GeneratedRegex(@"@\w+")]
    private static partial Regex Parameters();
}
