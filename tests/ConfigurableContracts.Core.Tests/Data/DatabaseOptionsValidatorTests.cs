using ConfigurableContracts.Core.Data;

namespace ConfigurableContracts.Core.Tests.Data;

/// <summary>
/// The SQL Server encryption check is parsed the way SqlClient parses it, so no spelling of "off" slips through
/// and no password reaches the start-up error.
/// </summary>
public sealed class DatabaseOptionsValidatorTests
{
    private static readonly DatabaseOptionsValidator Validator = new();

    private static List<string> Failures(string connectionString, bool allowUntrustedCertificate = false) =>
        Validator.Validate(null, new DatabaseOptions
        {
            Provider = DatabaseProvider.SqlServer,
            ConnectionString = connectionString,
            AllowUntrustedServerCertificate = allowUntrustedCertificate,
        }).Failures?.ToList() ?? [];

    [Theory]
    [InlineData("Server=db.invalid;Database=x;Encrypt=false", "Encrypt=false")]
    [InlineData("Server=db.invalid;Database=x;Encrypt = no", "Encrypt=no")]
    [InlineData("Server=db.invalid;Database=x;encrypt=Optional", "Encrypt=Optional")]
    [InlineData("Server=db.invalid;Database=x;ENCRYPT=False;Password=hunter2", "Encrypt=False")]
    public void SqlServer_IsRefused_NamingTheEncryptValue_WhenEncryptionIsOff(string connectionString, string expected)
    {
        var failure = Assert.Single(Failures(connectionString));

        Assert.Contains(expected, failure, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Optional", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void SqlServer_IsRefused_NamingTheValue_WhenEncryptIsNotAValueSqlClientKnows()
    {
        var failure = Assert.Single(Failures("Server=db.invalid;Database=x;Encrypt=perhaps;Password=hunter2"));

        Assert.Contains("'perhaps'", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void SqlServerRefusal_NeverQuotesThePassword()
    {
        var failures = Failures("Server=db.invalid;Database=x;Encrypt=no;User ID=sa;Password=hunter2")
            .Concat(Failures("Server=db.invalid;Database=x;Encrypt=perhaps;Password=hunter2"));

        Assert.All(failures, failure => Assert.DoesNotContain("hunter2", failure, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Server=db.invalid;Database=x;Encrypt=true")]
    [InlineData("Server=db.invalid;Database=x;Encrypt = yes")]
    [InlineData("Server=db.invalid;Database=x;Encrypt=Mandatory")]
    [InlineData("Server=db.invalid;Database=x;Encrypt=Strict")]
    public void SqlServer_IsAccepted_WhenEncryptionIsOn(string connectionString)
    {
        Assert.Empty(Failures(connectionString));
    }

    [Fact]
    public void SqlServer_IsAccepted_WhenEncryptIsOmitted_BecauseSqlClientDefaultsToMandatory()
    {
        // SqlClient 2.x defaulted to unencrypted; this fails if the package is ever downgraded below 4.0.
        Assert.Empty(Failures("Server=db.invalid;Database=x"));
    }

    [Theory]
    [InlineData("Server=db.invalid;Database=x;TrustServerCertificate=true;Password=hunter2")]
    [InlineData("Server=db.invalid;Database=x;Encrypt=yes;trust server certificate = yes;Password=hunter2")]
    public void SqlServer_IsRefused_WhenItTrustsAnyServerCertificate(string connectionString)
    {
        var failure = Assert.Single(Failures(connectionString));

        Assert.Contains("TrustServerCertificate, which SqlClient reads as true", failure, StringComparison.Ordinal);
        Assert.Contains("Database:AllowUntrustedServerCertificate", failure, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void SqlServer_IsAccepted_TrustingAnyCertificate_OnlyWhenThatIsAllowed()
    {
        Assert.Empty(Failures("Server=db.invalid;Database=x;TrustServerCertificate=true", allowUntrustedCertificate: true));
    }

    [Fact]
    public void SqlServer_IsAccepted_WithTrustServerCertificate_UnderStrict_WhichChecksTheCertificateAnyway()
    {
        Assert.Empty(Failures("Server=db.invalid;Database=x;Encrypt=Strict;TrustServerCertificate=true"));
    }

    [Fact]
    public void OtherProviders_AreNotHeldToSqlServerEncryptionKeywords()
    {
        var result = Validator.Validate(null, new DatabaseOptions
        {
            Provider = DatabaseProvider.PostgreSql,
            ConnectionString = "Host=db.invalid;Database=x",
        });

        Assert.True(result.Succeeded);
    }
}
