using System.Text.Json;

namespace ConfigurableContracts.Rules.Types;

/// <summary>The kinds of value a rule expression can see; each maps to one CLR type of the value model.</summary>
public enum RuleTypeKind
{
    /// <summary>Unknown statically; checked at run time.</summary>
    Any,
    /// <summary>Only the null literal has this type.</summary>
    Null,
    Boolean,
    /// <summary><see cref="long"/>.</summary>
    Integer,
    /// <summary><see cref="decimal"/>, never double.</summary>
    Number,
    String,
    /// <summary><see cref="DateTime"/>: a calendar date (format "date") or a UTC instant (format "date-time").</summary>
    Date,
    /// <summary>The difference of two dates.</summary>
    TimeSpan,
    /// <summary><see cref="IReadOnlyList{T}"/> of object?.</summary>
    Array,
    /// <summary><see cref="IReadOnlyDictionary{TKey, TValue}"/> of string to object?.</summary>
    Object,
}

/// <summary>
/// The static type of an input, a field or an expression. Built from a draft-07 JSON Schema or inferred from JSON
/// data; the binder checks every expression against it so a misspelled field is an error when the file is loaded.
/// Values of every type may be null: nullness is a run-time matter that yields NotEvaluable, not a type error.
/// </summary>
public sealed class RuleType
{
    private RuleType(
        RuleTypeKind kind,
        RuleType? elementType = null,
        IReadOnlyDictionary<string, RuleType>? properties = null,
        bool isDateTime = false,
        IReadOnlyList<string>? enumValues = null)
    {
        Kind = kind;
        ElementType = elementType;
        Properties = properties;
        IsDateTime = isDateTime;
        EnumValues = enumValues;
    }

    public static RuleType Any { get; } = new(RuleTypeKind.Any);
    public static RuleType Null { get; } = new(RuleTypeKind.Null);
    public static RuleType Boolean { get; } = new(RuleTypeKind.Boolean);
    public static RuleType Integer { get; } = new(RuleTypeKind.Integer);
    public static RuleType Number { get; } = new(RuleTypeKind.Number);
    public static RuleType String { get; } = new(RuleTypeKind.String);
    public static RuleType Date { get; } = new(RuleTypeKind.Date);
    public static RuleType DateTime { get; } = new(RuleTypeKind.Date, isDateTime: true);
    public static RuleType TimeSpan { get; } = new(RuleTypeKind.TimeSpan);

    /// <summary>An object whose fields are unknown: any member may be read and is checked at run time.</summary>
    public static RuleType OpenObject { get; } = new(RuleTypeKind.Object);

    public RuleTypeKind Kind { get; }

    /// <summary>For arrays: the type of every element.</summary>
    public RuleType? ElementType { get; }

    /// <summary>For objects: the known fields; null means the object is open (any field, type any).</summary>
    public IReadOnlyDictionary<string, RuleType>? Properties { get; }

    /// <summary>For dates: true when values are instants (schema format "date-time") rather than calendar dates.</summary>
    public bool IsDateTime { get; }

    /// <summary>For strings with a schema <c>enum</c>: the allowed values, so comparisons with others can be flagged.</summary>
    public IReadOnlyList<string>? EnumValues { get; }

    public bool IsNumeric => Kind is RuleTypeKind.Integer or RuleTypeKind.Number;

    private ObjectShape? _shape;

    /// <summary>
    /// Field order of an object type with known fields; null for other types. Published once, because compiled
    /// field reads compare it by reference with the shape of converted values.
    /// </summary>
    internal ObjectShape? Shape => Properties is null ? null : LazyInitializer.EnsureInitialized(ref _shape, () => new ObjectShape(Properties));

    public static RuleType ArrayOf(RuleType elementType) => new(RuleTypeKind.Array, elementType: elementType);

    public static RuleType ObjectOf(IReadOnlyDictionary<string, RuleType> properties) =>
        new(RuleTypeKind.Object, properties: properties);

    public static RuleType StringEnum(IReadOnlyList<string> values) =>
        new(RuleTypeKind.String, enumValues: values);

    /// <summary>
    /// Reads a draft-07 schema: <c>type</c> (a name or an array of names with "null"), <c>properties</c>,
    /// <c>items</c>, <c>format</c> (date, date-time), <c>enum</c> and <c>$ref</c> to <c>#/definitions/…</c> or
    /// <c>#/$defs/…</c> in the same document. Anything else (oneOf, allOf, …) becomes <see cref="Any"/>.
    /// </summary>
    public static RuleType FromJsonSchema(JsonElement schema) => FromSchema(schema, schema, depth: 0);

    /// <summary>
    /// Infers a type from data: integers without fraction or exponent are integers, other numbers are decimal,
    /// ISO-8601 date strings are dates, and an array's element type is the union of its elements (objects merge
    /// their fields), so JSON arrays keep their element type.
    /// </summary>
    public static RuleType InferFromData(JsonElement data) => Infer(data, depth: 0);

    /// <summary>
    /// The type of a whole workflow input known only from its value, as <see cref="InferFromData"/>, except that a
    /// null input (a follow-up not yet recorded) says nothing about its fields: it is <see cref="Any"/>, and what rules
    /// read from it is checked at run time.
    /// </summary>
    public static RuleType InferInput(JsonElement value)
    {
        var type = InferFromData(value);
        return type.Kind == RuleTypeKind.Null ? Any : type;
    }

    /// <summary>The least type both values fit: integers widen to numbers, objects merge fields, null yields.</summary>
    public static RuleType Union(RuleType left, RuleType right)
    {
        if (ReferenceEquals(left, right)) return left;
        if (left.Kind == RuleTypeKind.Null) return right;
        if (right.Kind == RuleTypeKind.Null) return left;
        if (left.Kind == RuleTypeKind.Any || right.Kind == RuleTypeKind.Any) return Any;
        if (left.IsNumeric && right.IsNumeric) return left.Kind == right.Kind ? left : Number;
        if (left.Kind != right.Kind) return Any;
        switch (left.Kind)
        {
            case RuleTypeKind.Array:
                return ArrayOf(Union(left.ElementType ?? Any, right.ElementType ?? Any));
            case RuleTypeKind.Object:
                if (left.Properties is null || right.Properties is null) return OpenObject;
                var merged = new Dictionary<string, RuleType>(left.Properties, StringComparer.Ordinal);
                foreach (var (name, type) in right.Properties)
                    merged[name] = merged.TryGetValue(name, out var existing) ? Union(existing, type) : type;
                return ObjectOf(merged);
            case RuleTypeKind.Date:
                return left.IsDateTime == right.IsDateTime ? left : DateTime;
            case RuleTypeKind.String:
                return String;
            default:
                return left;
        }
    }

    /// <summary>Short, user-facing name: <c>integer</c>, <c>number</c>, <c>array of object</c>, …</summary>
    public string DisplayName => Kind switch
    {
        RuleTypeKind.Any => "any",
        RuleTypeKind.Null => "null",
        RuleTypeKind.Boolean => "boolean",
        RuleTypeKind.Integer => "integer",
        RuleTypeKind.Number => "number",
        RuleTypeKind.String => "string",
        RuleTypeKind.Date => IsDateTime ? "date-time" : "date",
        RuleTypeKind.TimeSpan => "time span",
        RuleTypeKind.Array => "array of " + (ElementType ?? Any).DisplayName,
        _ => "object",
    };

    public override string ToString() => DisplayName;

    // Guards a hostile or self-referencing schema ($ref to itself) from recursing without end.
    private const int MaxSchemaDepth = 32;

    private static RuleType FromSchema(JsonElement root, JsonElement schema, int depth)
    {
        if (depth > MaxSchemaDepth || schema.ValueKind != JsonValueKind.Object) return Any;

        if (schema.TryGetProperty("$ref", out var reference) && reference.ValueKind == JsonValueKind.String)
        {
            var target = ResolveReference(root, reference.GetString()!);
            return target is { } resolved ? FromSchema(root, resolved, depth + 1) : Any;
        }

        if (schema.TryGetProperty("enum", out var enumValues) && enumValues.ValueKind == JsonValueKind.Array)
            return FromEnum(enumValues);

        var typeName = SchemaTypeName(schema);
        switch (typeName)
        {
            case "boolean":
                return Boolean;
            case "integer":
                return Integer;
            case "number":
                return Number;
            case "string":
                var format = schema.TryGetProperty("format", out var f) && f.ValueKind == JsonValueKind.String
                    ? f.GetString()
                    : null;
                return format switch { "date" => Date, "date-time" => DateTime, _ => String };
            case "array":
                var items = schema.TryGetProperty("items", out var i) ? FromSchema(root, i, depth + 1) : Any;
                return ArrayOf(items);
            case "object":
                return ObjectFromSchema(root, schema, depth);
            case null when schema.TryGetProperty("properties", out _):
                return ObjectFromSchema(root, schema, depth);
            default:
                return Any;
        }
    }

    private static RuleType ObjectFromSchema(JsonElement root, JsonElement schema, int depth)
    {
        if (!schema.TryGetProperty("properties", out var properties) || properties.ValueKind != JsonValueKind.Object)
            return OpenObject;
        var fields = new Dictionary<string, RuleType>(StringComparer.Ordinal);
        foreach (var property in properties.EnumerateObject())
            fields[property.Name] = FromSchema(root, property.Value, depth + 1);
        return ObjectOf(fields);
    }

    private static string? SchemaTypeName(JsonElement schema)
    {
        if (!schema.TryGetProperty("type", out var type)) return null;
        if (type.ValueKind == JsonValueKind.String) return type.GetString();
        if (type.ValueKind != JsonValueKind.Array) return null;
        // ["string", "null"] is how draft-07 spells an optional value; nullness is not part of our types.
        var names = type.EnumerateArray()
            .Where(t => t.ValueKind == JsonValueKind.String && t.GetString() != "null")
            .Select(t => t.GetString())
            .ToList();
        if (names.Count == 1) return names[0];
        return names.Count == 2 && names.Contains("integer") && names.Contains("number") ? "number" : null;
    }

    private static RuleType FromEnum(JsonElement values)
    {
        var type = Null;
        var strings = new List<string>();
        foreach (var value in values.EnumerateArray())
        {
            if (value.ValueKind == JsonValueKind.String) strings.Add(value.GetString()!);
            type = Union(type, Infer(value, depth: 0));
        }
        return type.Kind == RuleTypeKind.String || (type.Kind == RuleTypeKind.Date && strings.Count > 0)
            ? StringEnum(strings)
            : type;
    }

    private static JsonElement? ResolveReference(JsonElement root, string reference)
    {
        if (!reference.StartsWith("#/", StringComparison.Ordinal)) return null;
        var current = root;
        foreach (var rawSegment in reference[2..].Split('/'))
        {
            var segment = rawSegment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(segment, out current)) return null;
        }
        return current;
    }

    private const int MaxDataDepth = 64;

    private static RuleType Infer(JsonElement data, int depth)
    {
        if (depth > MaxDataDepth) return Any;
        switch (data.ValueKind)
        {
            case JsonValueKind.True:
            case JsonValueKind.False:
                return Boolean;
            case JsonValueKind.Number:
                return RuleValues.IsIntegerLiteral(data) ? Integer : Number;
            case JsonValueKind.String:
                var text = data.GetString()!;
                if (RuleValues.TryParseDate(text, out _)) return Date;
                return RuleValues.TryParseDateTime(text, out _) ? DateTime : String;
            case JsonValueKind.Array:
                var element = Null;
                foreach (var item in data.EnumerateArray()) element = Union(element, Infer(item, depth + 1));
                return ArrayOf(element.Kind == RuleTypeKind.Null ? Any : element);
            case JsonValueKind.Object:
                var fields = new Dictionary<string, RuleType>(StringComparer.Ordinal);
                foreach (var property in data.EnumerateObject())
                {
                    var type = Infer(property.Value, depth + 1);
                    // A field that is null in the sample says nothing about its type.
                    fields[property.Name] = type.Kind == RuleTypeKind.Null ? Any : type;
                }
                return ObjectOf(fields);
            default:
                return Null;
        }
    }
}
