using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ConfigurableContracts.Server.Tests.Security;

/// <summary>
/// A server that accepts bearer tokens from a test identity provider: an RSA key made for this fixture, its public
/// half served to the server as a JWKS file (no network, no discovery), and a fake clock both sides share.
/// </summary>
public sealed class JwtServer : IDisposable
{
    public const string Issuer = "https://idp.test.example/realms/kommun";

    public const string Audience = "configurable-contracts";

    public static readonly DateTimeOffset Now = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private readonly RSA _rsa = RSA.Create(2048);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"cc_jwks_{Guid.NewGuid():N}");

    public JwtServer()
    {
        Directory.CreateDirectory(_folder);
        JwksFile = Path.Combine(_folder, "jwks.json");
        File.WriteAllText(JwksFile, JsonSerializer.Serialize(new { keys = new[] { PublicJwk(_rsa, "test-key") } }));
        Server = ServerFactory.WithSettings(Settings(JwksFile), services => services.AddSingleton<TimeProvider>(Time));
    }

    public string JwksFile { get; }

    public FakeTimeProvider Time { get; } = new(Now);

    public ServerFactory Server { get; }

    /// <summary>The settings a municipality would write, here with offline keys and a role map.</summary>
    public static Dictionary<string, string?> Settings(string jwksFile) => new()
    {
        ["Authentication:Jwt:Enabled"] = "true",
        ["Authentication:Jwt:Issuer"] = Issuer,
        ["Authentication:Jwt:Audience"] = Audience,
        ["Authentication:Jwt:JwksFile"] = jwksFile,
        ["Authentication:Jwt:OrganisationClaim"] = "organisation",
        ["Authentication:Jwt:RoleClaim"] = "roles",
        ["Authentication:Jwt:RoleMap:Kommun.Bestallare"] = "commissioner",
        ["Authentication:Jwt:RoleMap:Kommun.Revisor"] = "auditor",
        ["Authentication:Jwt:RoleMap:Forening.Utforare"] = "provider",
        ["Authentication:Jwt:RoleMap:Plattform.Admin"] = "admin",
        ["Authentication:Jwt:RoleMap:Kommun.Mallansvarig"] = "designer",
    };

    /// <summary>A token signed with this fixture's key unless <paramref name="signWith"/> says otherwise.</summary>
    public string Token(
        IDictionary<string, object> claims, string audience = Audience, TimeSpan? validFor = null, DateTimeOffset? issuedAt = null, RSA? signWith = null)
    {
        var issued = issuedAt ?? Time.GetUtcNow();
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = audience,
            IssuedAt = issued.UtcDateTime,
            NotBefore = issued.UtcDateTime,
            Expires = (issued + (validFor ?? TimeSpan.FromHours(1))).UtcDateTime,
            Claims = claims,
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(signWith ?? _rsa) { KeyId = "test-key" }, SecurityAlgorithms.RsaSha256),
        };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    /// <summary>The claims of a person at <paramref name="organisationId"/> holding the identity provider's <paramref name="roles"/>.</summary>
    public static Dictionary<string, object> Claims(string subject, string organisationId, params string[] roles) => new()
    {
        ["sub"] = subject,
        ["organisation"] = organisationId,
        ["roles"] = roles,
    };

    public HttpClient ClientWithToken(string token)
    {
        var client = Server.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public void Dispose()
    {
        Server.Dispose();
        _rsa.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private static Dictionary<string, string> PublicJwk(RSA rsa, string keyId)
    {
        var parameters = rsa.ExportParameters(includePrivateParameters: false);
        return new Dictionary<string, string>
        {
            ["kty"] = "RSA",
            ["use"] = "sig",
            ["alg"] = "RS256",
            ["kid"] = keyId,
            ["n"] = Base64UrlEncoder.Encode(parameters.Modulus),
            ["e"] = Base64UrlEncoder.Encode(parameters.Exponent),
        };
    }
}
