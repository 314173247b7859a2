using ConfigurableContracts.Core.Json;

namespace ConfigurableContracts.Server.Intake;

/// <summary>The answer to a bulk upload: per line, accepted (with the new id) or rejected (with every reason).</summary>
public sealed record BulkResultDto(int Accepted, int Rejected, IReadOnlyList<BulkLineDto> Lines);

/// <summary>One line's outcome. <c>status</c> is <c>accepted</c> or <c>rejected</c>.</summary>
public sealed record BulkLineDto(int Line, string Status, string? Id, IReadOnlyList<BulkErrorDto>? Errors)
{
    public static BulkLineDto Accepted(int line, string id) => new(line, "accepted", id, null);

    public static BulkLineDto Rejected(int line, IEnumerable<DocumentError> errors) =>
        new(line, "rejected", null, errors.Select(BulkErrorDto.From).ToList());

    public static BulkLineDto Rejected(int line, string path, string message) => Rejected(line, [new DocumentError(path, message)]);
}

/// <summary>
/// Why a line was rejected: the JSON path within the line and what is wrong there. The wire shape of a
/// <see cref="DocumentError"/>, kept as its own DTO so the OpenAPI document names the bulk answer's parts.
/// </summary>
public sealed record BulkErrorDto(string Path, string Message)
{
    public static BulkErrorDto From(DocumentError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new BulkErrorDto(error.Path, error.Message);
    }
}

/// <summary>Collects line outcomes in line order as they are decided, some early (bad JSON), some after the write.</summary>
internal sealed class BulkResultBuilder
{
    private readonly SortedDictionary<int, BulkLineDto> _lines = [];

    public void Add(BulkLineDto line) => _lines[line.Line] = line;

    public BulkResultDto Build()
    {
        var lines = _lines.Values.ToList();
        var accepted = lines.Count(l => l.Status == "accepted");
        return new BulkResultDto(accepted, lines.Count - accepted, lines);
    }
}
