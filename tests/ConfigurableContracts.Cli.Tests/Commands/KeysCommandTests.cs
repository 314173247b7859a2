using System.CommandLine;
using ConfigurableContracts.Cli.Commands;
using ConfigurableContracts.Core.Audit;
using ConfigurableContracts.Core.Data;
using ConfigurableContracts.Core.Security;
using Microsoft.Extensions.Options;

namespace ConfigurableContracts.Cli.Tests.Commands;

public sealed class KeysCommandTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("keys-command-");

    public KeysCommandTests() =>
        File.WriteAllText(
            Settings,
            """{ "Database": { "Provider": "Sqlite", "ConnectionString": "Data Source=data/keys.db;Pooling=false" } }""");

    private string Settings => Path.Combine(_directory.FullName, "appsettings.json");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public async Task Create_PrintsOnlyTheKey_WhichAuthenticatesForTheNewOrganisation()
    {
        var (exitCode, output, error) = Invoke("keys", "create", "--org", "forening-a", "--org-name", "Förening A", "--role", "provider", "--label", "intake", "--settings", Settings);

        var secret = output.Trim();
        Assert.Equal(0, exitCode);
        Assert.StartsWith(ApiKeySecret.Prefix, secret, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, error, StringComparison.Ordinal);
        var key = await Keys().FindActiveAsync(secret);
        Assert.Equal(("forening-a", Roles.Provider, "intake"), (key!.OrganisationId, key.Role, key.Label));
    }

    [Fact]
    public async Task Create_AppendsAnAuditEntry_NamingTheOperatorOrganisationAndRole_AndNeverTheSecret()
    {
        var (exitCode, output, _) = Invoke("keys", "create", "--org", "forening-b", "--org-name", "Förening B", "--role", "auditor", "--settings", Settings);

        Assert.Equal(0, exitCode);
        var secret = output.Trim();
        var key = await Keys().FindActiveAsync(secret);
        using var log = new AuditLog(Connections(), TimeProvider.System);
        var entry = Assert.Single(await log.QueryAsync(new AuditQuery(Limit: 1000)));
        Assert.Equal(
            ("cli:" + Environment.UserName, "os-user", "cli.keys.create", "allowed"),
            (entry.Subject, entry.Authentication, entry.Action, entry.Outcome));
        Assert.Equal($"organisationId=forening-b; role=auditor; keyId={key!.Id}", entry.Resource);
        Assert.DoesNotContain(secret, $"{entry.Detail} {entry.Resource} {entry.Endpoint}", StringComparison.Ordinal);
        Assert.True((await log.VerifyAsync()).IsIntact);
    }

    [Fact]
    public void Create_RefusesAnUnknownOrganisation_WithoutOrgName()
    {
        var (exitCode, output, error) = Invoke("keys", "create", "--org", "kommun", "--role", "commissioner", "--settings", Settings);

        Assert.Equal(1, exitCode);
        Assert.Empty(output);
        Assert.Contains("--org-name", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_RefusesAnAdminKey_ForAnOrganisationOtherThanThePlatform()
    {
        var (exitCode, output, error) = Invoke("keys", "create", "--org", "kommun", "--org-name", "K", "--role", "admin", "--settings", Settings);

        Assert.Equal(2, exitCode);
        Assert.Empty(output);
        Assert.Contains("only for the platform organisation 'platform'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_IssuesAnAdminKey_ForThePlatformOrganisation()
    {
        var (exitCode, output, _) = Invoke("keys", "create", "--org", "platform", "--org-name", "Platform", "--role", "admin", "--settings", Settings);

        Assert.Equal(0, exitCode);
        var key = await Keys().FindActiveAsync(output.Trim());
        Assert.Equal(("platform", Roles.Admin), (key!.OrganisationId, key.Role));
    }

    [Fact]
    public void Create_RefusesAnUnknownRole()
    {
        var (exitCode, output, _) = Invoke("keys", "create", "--org", "kommun", "--org-name", "K", "--role", "root", "--settings", Settings);

        Assert.NotEqual(0, exitCode);
        Assert.DoesNotContain(ApiKeySecret.Prefix, output, StringComparison.Ordinal);
    }

    private ApiKeyStore Keys() => new(Connections(), TimeProvider.System);

    private DbConnectionFactory Connections()
    {
        DapperTypeHandlers.Register();
        var database = Path.Combine(_directory.FullName, "data", "keys.db");
        return new DbConnectionFactory(Options.Create(new DatabaseOptions { ConnectionString = $"Data Source={database};Pooling=false" }));
    }

    private static (int ExitCode, string Output, string Error) Invoke(params string[] args)
    {
        var root = new RootCommand();
        root.Subcommands.Add(KeysCommand.Create());
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }
}
