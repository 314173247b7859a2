using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using ConfigurableContracts.Server.Errors;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace ConfigurableContracts.Server.Intake;

/// <summary>
/// Reads a JSON Lines (<c>application/x-ndjson</c>) request body line by line, numbering lines from 1 as an
/// editor does, so the answer for line 41 is about the 41st line of the file. Blank lines are skipped.
/// </summary>
public static class JsonLinesBody
{
    public const string MediaType = "application/x-ndjson";

    /// <summary>At most this many lines per request, so one upload cannot hold the database for minutes.</summary>
    public const int MaxLines = 200_000;

    private static readonly string[] AcceptedMediaTypes = [MediaType, "application/jsonl", "application/x-jsonlines", "application/json-lines"];

    /// <summary>
    /// Answers 415 unless the request body is JSON Lines, before anything else is looked at, so a wrong upload is
    /// told so whatever the state of its contract. <paramref name="records"/> names what the lines hold.
    /// </summary>
    public static RouteHandlerBuilder RequireJsonLines(this RouteHandlerBuilder builder, string records)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddEndpointFilter(async (context, next) => HasJsonLinesContent(context.HttpContext.Request)
            ? await next(context).ConfigureAwait(false)
            : Problems.UnsupportedMediaType($"Send the {records} as JSON Lines with Content-Type {MediaType}."));
    }

    /// <summary>The answer to an upload of more than <see cref="MaxLines"/> lines.</summary>
    public static ProblemHttpResult TooManyLines() =>
        TypedResults.Problem(
            $"An upload holds at most {MaxLines} lines; split the file.", statusCode: StatusCodes.Status413PayloadTooLarge, title: "Too many lines");

    public static bool HasJsonLinesContent(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            && AcceptedMediaTypes.Contains(contentType.MediaType.Value, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Every non-blank line; null when there are more than <see cref="MaxLines"/>.</summary>
    public static async Task<IReadOnlyList<(int Number, string Text)>?> ReadAllAsync(HttpRequest request, CancellationToken cancellationToken) =>
        (await ReadUploadAsync(request, cancellationToken).ConfigureAwait(false))?.Lines;

    /// <summary>
    /// Every non-blank line and the SHA-256 of the body's bytes as received (before any decoding), which is what
    /// recognises a byte-identical re-send; null when there are more than <see cref="MaxLines"/> lines.
    /// </summary>
    public static async Task<JsonLinesUpload?> ReadUploadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var lines = new List<(int, string)>();
        await using (var body = new HashingReadStream(request.Body, hash))
        {
            await foreach (var line in ReadAsync(body, cancellationToken).ConfigureAwait(false))
            {
                if (lines.Count == MaxLines)
                {
                    return null;
                }

                lines.Add(line);
            }
        }

        return new JsonLinesUpload(lines, lines.Count == 0 ? 0 : lines[^1].Item1, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    /// <summary>
    /// Checks every line on all cores, keeping line order: schema validation is the larger part of an upload's
    /// cost, and each line is checked independently of the others.
    /// </summary>
    public static List<(int Number, T Checked)> CheckInParallel<T>(IReadOnlyList<(int Number, string Text)> lines, Func<string, T> check, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lines);
        return lines.AsParallel().AsOrdered().WithCancellation(cancellationToken).Select(l => (l.Number, check(l.Text))).ToList();
    }

    public static IAsyncEnumerable<(int Number, string Text)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ReadAsync(request.Body, cancellationToken);
    }

    private static async IAsyncEnumerable<(int Number, string Text)> ReadAsync(Stream body, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // The body's size limit (Limits:MaxBulkRequestBodyBytes) is set by the limits middleware for every
        // endpoint that accepts JSON Lines. Bytes that are not UTF-8 become U+FFFD, as an editor would show them.
        using var reader = new StreamReader(body, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, leaveOpen: true);
        var number = 0;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            number++;
            if (!string.IsNullOrWhiteSpace(line))
            {
                yield return (number, line);
            }
        }
    }
}

/// <summary>A JSON Lines body as read: its non-blank lines, the number of its last one, and the SHA-256 of its bytes (lowercase hex).</summary>
public sealed record JsonLinesUpload(IReadOnlyList<(int Number, string Text)> Lines, int LineCount, string Sha256);

/// <summary>Passes a request body through unchanged while hashing every byte read from it.</summary>
internal sealed class HashingReadStream(Stream inner, IncrementalHash hash) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        hash.AppendData(buffer[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        hash.AppendData(buffer.Span[..read]);
        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
