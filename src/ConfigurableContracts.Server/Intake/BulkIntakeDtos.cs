namespace ConfigurableContracts.Server.Intake;

/// <summary>The answer to a bulk upload: per line, accepted (with the new id) or rejected (with every reason).</summary>
public sealed record BulkResultDto(int Accepted, int Rejected, IReadOnlyList<BulkLineDto> Lines);

/// <summary>One line's outcome. <c>status</c> is <c>accepted</c> or <c>rejected</c>.</summary>
public sealed record BulkLineDto(int Line, string Status, string? Id, IReadOnlyList<BulkErrorDto>? Errors)
{
    public static BulkLineDto Accepted(int line, string id) => new(line, "accepted", id, null);

    public static BulkLineDto Rejected(int line, IReadOnlyList<BulkErrorDto> errors) => new(line, "rejected", null, errors);

    public static BulkLineDto Rejected(int line, string path, string message) => Rejected(line, [new BulkErrorDto(path, message)]);
}

/// <summary>Why a line was rejected: the JSON path within the line and what is wrong there.</summary>
public sealed record BulkErrorDto(string Path, string Message);

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
