using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ConfigurableContracts.Core.Evaluation;

/// <summary>
/// The canonical record of what a workflow saw: <c>{"asOf": …, "contractInput": hash, …inputs}</c> with every stored
/// document embedded exactly as stored. Two hashes come from it: over the whole snapshot (what a replay needs) and over
/// everything but <c>asOf</c> (whether the data changed since the last decision).
/// </summary>
public sealed class InputSnapshot
{
    private InputSnapshot(string text, string inputHash, string dataHash)
    {
        Text = text;
        InputHash = inputHash;
        DataHash = dataHash;
    }

    public string Text { get; }

    public string InputHash { get; }

    public string DataHash { get; }

    /// <summary>
    /// Builds a snapshot. <paramref name="writeBody"/> writes the properties after <c>asOf</c> into an open object;
    /// documents go in with <see cref="Utf8JsonWriter.WriteRawValue(string, bool)"/> so their bytes are kept.
    /// </summary>
    public static InputSnapshot Create(DateOnly asOf, Action<Utf8JsonWriter> writeBody)
    {
        ArgumentNullException.ThrowIfNull(writeBody);
        var body = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(body, new JsonWriterOptions { SkipValidation = false }))
        {
            writer.WriteStartObject();
            writeBody(writer);
            writer.WriteEndObject();
        }

        // {"asOf":"yyyy-MM-dd", + the body without its opening brace: the body hash then ignores asOf exactly.
        var bodyBytes = body.WrittenSpan;
        var prefix = Encoding.UTF8.GetBytes($"{{\"asOf\":\"{asOf.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}\"{(bodyBytes.Length > 2 ? "," : "")}");
        var full = new byte[prefix.Length + bodyBytes.Length - 1];
        prefix.CopyTo(full, 0);
        bodyBytes[1..].CopyTo(full.AsSpan(prefix.Length));
        return new InputSnapshot(Encoding.UTF8.GetString(full), Hash(full), Hash(bodyBytes));
    }

    /// <summary>The contract's parameters as a shared part other snapshots refer to by hash.</summary>
    public static (string Text, string Hash) ContractPart(string parameters)
    {
        var text = $"{{\"contract\":{parameters}}}";
        return (text, Hash(Encoding.UTF8.GetBytes(text)));
    }

    public static string Hash(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static string Hash(string text) => Hash(Encoding.UTF8.GetBytes(text));
}
