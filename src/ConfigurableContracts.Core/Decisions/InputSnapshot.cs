using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ConfigurableContracts.Core.Decisions;

/// <summary>
/// The canonical record of what a workflow saw: <c>{"asOf": …, "contractInput": hash, …inputs}</c> with every stored
/// document embedded exactly as stored. Two hashes come from it: over the whole snapshot (what a replay needs) and over
/// everything but <c>asOf</c> (whether the data changed since the last decision).
/// </summary>
public sealed class InputSnapshot
{
    private InputSnapshot(byte[] utf8, string inputHash, string dataHash)
    {
        Utf8 = utf8;
        InputHash = inputHash;
        DataHash = dataHash;
    }

    /// <summary>The snapshot as stored: UTF-8 JSON.</summary>
    public byte[] Utf8 { get; }

    public string Text => Encoding.UTF8.GetString(Utf8);

    public string InputHash { get; }

    public string DataHash { get; }

    [ThreadStatic]
    private static Utf8Scratch? t_body;

    [ThreadStatic]
    private static Utf8Scratch? t_full;

    [ThreadStatic]
    private static Utf8Scratch? t_joined;

    /// <summary>
    /// Builds a snapshot. <paramref name="writeBody"/> writes the properties after <c>asOf</c> into an open object;
    /// documents go in with <see cref="Utf8JsonWriter.WriteRawValue(string, bool)"/> so their bytes are kept.
    /// </summary>
    public static InputSnapshot Create(DateOnly asOf, Action<Utf8JsonWriter> writeBody)
    {
        ArgumentNullException.ThrowIfNull(writeBody);
        var body = Utf8Scratch.For(ref t_body);
        var writer = body.Start();
        writer.WriteStartObject();
        writeBody(writer);
        writer.WriteEndObject();
        writer.Flush();

        // {"asOf":"yyyy-MM-dd", + the body without its opening brace: the body hash then ignores asOf exactly.
        var bodyBytes = body.Written;
        var full = Utf8Scratch.For(ref t_full);
        full.Start();
        var prefix = full.Buffer.GetSpan(32);
        var length = 0;
        Append(prefix, ref length, "{\"asOf\":\""u8);
        asOf.TryFormat(prefix[length..], out var written, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        length += written;
        Append(prefix, ref length, bodyBytes.Length > 2 ? "\","u8 : "\""u8);
        full.Buffer.Advance(length);
        full.Buffer.Write(bodyBytes[1..]);
        var fullBytes = full.Written;
        return new InputSnapshot(fullBytes.ToArray(), Hash(fullBytes), Hash(bodyBytes));
    }

    /// <summary>The contract's parameters as a shared part other snapshots refer to by hash.</summary>
    public static (string Text, string Hash) ContractPart(string parameters)
    {
        var text = $"{{\"contract\":{parameters}}}";
        return (text, Hash(Encoding.UTF8.GetBytes(text)));
    }

    public static string Hash(ReadOnlySpan<byte> bytes)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(bytes, hash);
        return Convert.ToHexStringLower(hash);
    }

    public static string Hash(string text) => Hash(Encoding.UTF8.GetBytes(text));

    /// <summary>
    /// The hash of the parts joined with <c>|</c> (a null part as empty), as <c>Hash(string.Join('|', parts))</c>
    /// gives it, without building the joined string.
    /// </summary>
    public static string HashJoined(params ReadOnlySpan<string?> parts)
    {
        var joined = Utf8Scratch.For(ref t_joined);
        joined.Start();
        for (var i = 0; i < parts.Length; i++)
        {
            if (i > 0)
            {
                joined.Buffer.Write("|"u8);
            }

            if (parts[i] is { Length: > 0 } part)
            {
                var span = joined.Buffer.GetSpan(Encoding.UTF8.GetMaxByteCount(part.Length));
                joined.Buffer.Advance(Encoding.UTF8.GetBytes(part, span));
            }
        }

        return Hash(joined.Written);
    }

    private static void Append(Span<byte> target, ref int length, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(target[length..]);
        length += bytes.Length;
    }
}
