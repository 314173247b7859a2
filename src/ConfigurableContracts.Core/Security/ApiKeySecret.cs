using System.Security.Cryptography;
using System.Text;

namespace ConfigurableContracts.Core.Security;

/// <summary>
/// Makes and hashes API key secrets. A secret is 32 random bytes, base64url without padding, behind a
/// <c>cck_</c> prefix so secret scanners and people recognise it; only its SHA-256 is ever stored.
/// </summary>
public static class ApiKeySecret
{
    public const string Prefix = "cck_";

    private const int SecretBytes = 32;

    public static string Generate()
    {
        Span<byte> bytes = stackalloc byte[SecretBytes];
        RandomNumberGenerator.Fill(bytes);
        return Prefix + Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>Lower-case hex SHA-256 of the secret as sent. A fast hash is enough: the secret has 256 bits of entropy.</summary>
    public static string Hash(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
    }

    /// <summary>Cheap shape check before touching the database, so junk headers cost no query.</summary>
    public static bool LooksValid(string? secret) =>
        secret is { Length: > 40 and < 100 } && secret.StartsWith(Prefix, StringComparison.Ordinal);
}
