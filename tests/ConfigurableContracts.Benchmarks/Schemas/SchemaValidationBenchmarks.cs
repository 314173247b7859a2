using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using ConfigurableContracts.Core.Templates.Schemas;
using Newtonsoft.Json.Linq;

namespace ConfigurableContracts.Benchmarks.Schemas;

/// <summary>
/// Validation throughput of participant and measurement documents (~0.5 KB each) against schemas shaped like the seed
/// template's, single-threaded, from UTF-8 bytes (parse included), as bulk intake sees them. Each invocation validates
/// <see cref="BatchSize"/> different documents, so documents/s = BatchSize / mean. The NJsonSchema rows are the
/// baseline the guard's own validator is measured against (docs/decisions/0003-schema-guard.md): NJsonSchema's own
/// validator over the same schema text, from <c>JToken.Parse</c>, as its users call it.
/// </summary>
[MemoryDiagnoser]
public class SchemaValidationBenchmarks
{
    public const int BatchSize = 1000;

    private const string ParticipantSchema = """
        {
          "$schema": "http://json-schema.org/draft-07/schema#",
          "title": "Participant",
          "type": "object",
          "required": ["pseudonym", "providerId", "enrolledOn", "birthYear", "gender", "municipality", "referral"],
          "additionalProperties": false,
          "properties": {
            "pseudonym": { "type": "string", "pattern": "^[A-Z]{2}-[0-9]{6}$" },
            "providerId": { "type": "string", "minLength": 1, "maxLength": 64 },
            "enrolledOn": { "type": "string", "format": "date" },
            "birthYear": { "type": "integer", "minimum": 1990, "maximum": 2015 },
            "gender": { "enum": ["female", "male", "other", "unknown"] },
            "municipality": { "type": "string", "pattern": "^[0-9]{4}$" },
            "referral": {
              "type": "object",
              "required": ["source", "date"],
              "additionalProperties": false,
              "properties": {
                "source": { "enum": ["school", "social-services", "health-care", "self", "other"] },
                "date": { "type": "string", "format": "date" },
                "note": { "type": "string", "maxLength": 200 }
              }
            },
            "riskFactors": {
              "type": "array", "maxItems": 10, "uniqueItems": true,
              "items": { "enum": ["truancy", "substance-use", "crime", "family", "mental-health", "other"] }
            },
            "exit": {
              "type": "object",
              "required": ["on", "reason"],
              "properties": {
                "on": { "type": "string", "format": "date" },
                "reason": { "$ref": "#/definitions/exitReason" }
              }
            },
            "consent": { "const": true },
            "guardianConsentOn": { "type": "string", "format": "date" },
            "languages": { "type": "array", "items": { "type": "string", "pattern": "^[a-z]{2}$" }, "maxItems": 5 },
            "schoolYear": { "type": "integer", "minimum": 1, "maximum": 12 },
            "caseWorker": { "type": "string", "maxLength": 100 }
          },
          "definitions": {
            "exitReason": { "enum": ["completed", "moved", "declined", "other"] }
          }
        }
        """;

    private const string MeasurementSchema = """
        {
          "$schema": "http://json-schema.org/draft-07/schema#",
          "title": "Measurement",
          "type": "object",
          "required": ["pseudonym", "point", "measuredOn", "recordedAt", "school", "wellbeing"],
          "additionalProperties": false,
          "properties": {
            "pseudonym": { "type": "string", "pattern": "^[A-Z]{2}-[0-9]{6}$" },
            "point": { "enum": ["baseline", "followUp3", "followUp6"] },
            "measuredOn": { "type": "string", "format": "date" },
            "recordedAt": { "type": "string", "format": "date-time" },
            "school": {
              "type": "object",
              "required": ["attendanceRate", "unexcusedAbsenceDays"],
              "properties": {
                "attendanceRate": { "type": "number", "minimum": 0, "maximum": 1 },
                "unexcusedAbsenceDays": { "type": "integer", "minimum": 0 },
                "passedCore": { "type": "boolean" }
              }
            },
            "wellbeing": {
              "type": "object",
              "required": ["kidscreen", "sdq"],
              "properties": {
                "kidscreen": { "type": "integer", "minimum": 10, "maximum": 50 },
                "sdq": { "type": "integer", "minimum": 0, "maximum": 40 },
                "selfReported": { "type": "boolean" }
              }
            },
            "events": {
              "type": "array", "maxItems": 20,
              "items": {
                "type": "object", "required": ["kind", "on"],
                "properties": {
                  "kind": { "enum": ["police-contact", "suspension", "placement", "other"] },
                  "on": { "type": "string", "format": "date" }
                }
              }
            },
            "comment": { "type": ["string", "null"], "maxLength": 500 },
            "assessor": { "type": "string", "minLength": 1, "maxLength": 100 },
            "instrument": { "type": "object", "required": ["name", "version"],
              "properties": { "name": { "enum": ["KIDSCREEN-10", "SDQ"] }, "version": { "type": "string" } } }
          }
        }
        """;

    private byte[][] _participants = [];
    private byte[][] _measurements = [];
    private GuardedSchema _participantSchema = null!;
    private GuardedSchema _measurementSchema = null!;
    private NJsonSchema.JsonSchema _participantBaseline = null!;
    private NJsonSchema.JsonSchema _measurementBaseline = null!;

    [GlobalSetup]
    public void Setup()
    {
        var folder = Path.Combine(Path.GetTempPath(), "cct-bench-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(folder);
        _participantSchema = Load(folder, "participant.schema.json", ParticipantSchema);
        _measurementSchema = Load(folder, "measurement.schema.json", MeasurementSchema);
        // Both schemas refer only within themselves, so NJsonSchema reads them without any file or URL resolution.
        _participantBaseline = NJsonSchema.JsonSchema.FromJsonAsync(ParticipantSchema).GetAwaiter().GetResult();
        _measurementBaseline = NJsonSchema.JsonSchema.FromJsonAsync(MeasurementSchema).GetAwaiter().GetResult();

        var random = new Random(42);
        _participants = Enumerable.Range(0, BatchSize).Select(i => Encoding.UTF8.GetBytes(Participant(i, random))).ToArray();
        _measurements = Enumerable.Range(0, BatchSize).Select(i => Encoding.UTF8.GetBytes(Measurement(i, random))).ToArray();

        // A benchmark of documents that all fail would measure error reporting, not validation.
        Console.WriteLine($"// average document size: participants {_participants.Average(d => d.Length):F0} bytes, measurements {_measurements.Average(d => d.Length):F0} bytes");
        var firstError = _participants.SelectMany(d => _participantSchema.Validate(d))
            .Concat(_measurements.SelectMany(d => _measurementSchema.Validate(d)))
            .FirstOrDefault();
        if (firstError is not null)
            throw new InvalidOperationException($"benchmark documents must be valid: {firstError}");
    }

    [Benchmark(OperationsPerInvoke = BatchSize)]
    public int GuardParticipants()
    {
        var invalid = 0;
        foreach (var document in _participants)
            invalid += _participantSchema.Validate(document).Count;
        return invalid;
    }

    [Benchmark(OperationsPerInvoke = BatchSize)]
    public int GuardMeasurements()
    {
        var invalid = 0;
        foreach (var document in _measurements)
            invalid += _measurementSchema.Validate(document).Count;
        return invalid;
    }

    [Benchmark(OperationsPerInvoke = BatchSize)]
    public int NJsonSchemaParticipants()
    {
        var invalid = 0;
        foreach (var document in _participants)
            invalid += _participantBaseline.Validate(JToken.Parse(Encoding.UTF8.GetString(document))).Count;
        return invalid;
    }

    [Benchmark(OperationsPerInvoke = BatchSize)]
    public int NJsonSchemaMeasurements()
    {
        var invalid = 0;
        foreach (var document in _measurements)
            invalid += _measurementBaseline.Validate(JToken.Parse(Encoding.UTF8.GetString(document))).Count;
        return invalid;
    }

    private static GuardedSchema Load(string folder, string name, string json)
    {
        var path = Path.Combine(folder, name);
        var result = new SchemaGuard().LoadTextAsync(folder, path, json).GetAwaiter().GetResult();
        return result.Schema ?? throw new InvalidOperationException(string.Join('\n', result.Diagnostics));
    }

    private static string Participant(int i, Random random)
    {
        var enrolled = new DateOnly(2022, 1, 1).AddDays(random.Next(365));
        var exit = i % 5 == 0
            ? $$""","exit":{"on":"{{enrolled.AddDays(200):yyyy-MM-dd}}","reason":"completed"}"""
            : "";
        return $$"""
            {"pseudonym":"SK-{{i:D6}}","providerId":"provider-{{i % 7}}","enrolledOn":"{{enrolled:yyyy-MM-dd}}",
             "birthYear":{{2005 + (i % 8)}},"gender":"{{(i % 2 == 0 ? "female" : "male")}}","municipality":"{{1280 + (i % 3)}}",
             "referral":{"source":"school","date":"{{enrolled.AddDays(-10):yyyy-MM-dd}}","note":"Referred by the school welfare team after repeated unexcused absence in term {{i % 3 + 1}}."},
             "riskFactors":["truancy","family"{{(i % 3 == 0 ? ",\"crime\"" : "")}}],"consent":true,
             "guardianConsentOn":"{{enrolled.AddDays(-3):yyyy-MM-dd}}","languages":["sv","{{(i % 2 == 0 ? "ar" : "so")}}"],
             "schoolYear":{{7 + (i % 3)}},"caseWorker":"Case worker {{i % 40}}, youth unit"{{exit}}}
            """;
    }

    private static string Measurement(int i, Random random)
    {
        var measured = new DateOnly(2022, 3, 1).AddDays(random.Next(300));
        var attendance = (random.Next(40, 101) / 100m).ToString(CultureInfo.InvariantCulture);
        return $$"""
            {"pseudonym":"SK-{{i:D6}}","point":"{{(i % 3 == 0 ? "baseline" : i % 3 == 1 ? "followUp3" : "followUp6")}}",
             "measuredOn":"{{measured:yyyy-MM-dd}}","recordedAt":"{{measured:yyyy-MM-dd}}T09:{{i % 60:D2}}:00+01:00",
             "school":{"attendanceRate":{{attendance}},"unexcusedAbsenceDays":{{random.Next(0, 30)}},"passedCore":{{(i % 2 == 0 ? "true" : "false")}}},
             "wellbeing":{"kidscreen":{{random.Next(10, 51)}},"sdq":{{random.Next(0, 41)}},"selfReported":true},
             "events":[{"kind":"suspension","on":"{{measured.AddDays(-20):yyyy-MM-dd}}"}],
             "comment":{{(i % 4 == 0 ? "null" : "\"Follow-up meeting held with guardian and mentor; plan for next term agreed.\"")}},
             "assessor":"Assessor {{i % 25}}, provider staff","instrument":{"name":"KIDSCREEN-10","version":"2006-1"} }
            """;
    }
}
