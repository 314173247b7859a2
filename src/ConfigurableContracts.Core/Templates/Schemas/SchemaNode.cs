using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ConfigurableContracts.Core.Templates.Schemas;

/// <summary>The JSON types a <c>type</c> keyword admits; "integer" is kept apart from "number" because 1.0 is both.</summary>
[Flags]
internal enum InstanceTypes
{
    None = 0,
    Null = 1,
    Boolean = 2,
    Object = 4,
    Array = 8,
    Number = 16,
    Integer = 32,
    String = 64,
}

/// <summary>
/// A numeric keyword value: <see cref="Exact"/> when a decimal holds it without loss (the fast path, so that 0.1 compares
/// as 0.1), and always its <see cref="Text"/> as the schema file writes it, which <see cref="ExactNumber"/> compares exactly.
/// </summary>
internal readonly record struct NumberLimit(decimal? Exact, double Approximate, string Text);

/// <summary>A compiled pattern with the source text the error message quotes.</summary>
internal sealed record CompiledPattern(Regex Regex, string Source);

/// <summary>
/// One schema location compiled for validation. The compiler fills only the keywords the guard enforces, so a node
/// can never carry a constraint that is silently skipped; <see cref="Validate"/> checks them against a
/// System.Text.Json element.
/// </summary>
internal sealed class SchemaNode
{
    /// <summary>Longest property name, in UTF-8 bytes, decoded on the stack; longer ones become strings.</summary>
    private const int MaxStackName = 256;

    /// <summary>Longest string value, in UTF-8 bytes, decoded on the stack for length, pattern and format checks.</summary>
    private const int MaxStackString = 512;

    public SchemaNode(string file, string pointer)
    {
        File = file;
        Pointer = pointer;
    }

    public string File { get; }

    public string Pointer { get; }

    /// <summary>Set for the boolean schemas <c>true</c> and <c>false</c>.</summary>
    public bool? Constant { get; set; }

    /// <summary>The resolved target of <c>$ref</c>; draft-07 ignores every sibling, and the guard refuses siblings that would be ignored.</summary>
    public SchemaNode? Reference { get; set; }

    public InstanceTypes Types { get; set; }

    public string? TypeText { get; set; }

    public JsonElement? Const { get; set; }

    public JsonElement[]? Enum
    {
        get;
        set
        {
            field = value;
            EnumStrings = value?.Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToArray();
        }
    }

    private string[]? EnumStrings { get; set; }

    public NumberLimit? Minimum { get; set; }

    public NumberLimit? Maximum { get; set; }

    public NumberLimit? ExclusiveMinimum { get; set; }

    public NumberLimit? ExclusiveMaximum { get; set; }

    public NumberLimit? MultipleOf { get; set; }

    public long? MinLength { get; set; }

    public long? MaxLength { get; set; }

    public CompiledPattern? Pattern { get; set; }

    public string? Format { get; set; }

    public Dictionary<string, SchemaNode>? Properties
    {
        get;
        set
        {
            field = value;
            _propertiesByName = value?.GetAlternateLookup<ReadOnlySpan<char>>();
        }
    }

    private Dictionary<string, SchemaNode>.AlternateLookup<ReadOnlySpan<char>>? _propertiesByName;

    public List<(CompiledPattern Pattern, SchemaNode Schema)>? PatternProperties { get; set; }

    public SchemaNode? AdditionalProperties { get; set; }

    public string[]? Required { get; set; }

    public long? MinProperties { get; set; }

    public long? MaxProperties { get; set; }

    public SchemaNode? PropertyNames { get; set; }

    public Dictionary<string, string[]>? DependentRequired { get; set; }

    public Dictionary<string, SchemaNode>? DependentSchemas { get; set; }

    public SchemaNode? Items { get; set; }

    public SchemaNode[]? TupleItems { get; set; }

    public SchemaNode? AdditionalItems { get; set; }

    public long? MinItems { get; set; }

    public long? MaxItems { get; set; }

    public bool UniqueItems { get; set; }

    public SchemaNode? Contains { get; set; }

    public SchemaNode[]? AllOf { get; set; }

    public SchemaNode[]? AnyOf { get; set; }

    public SchemaNode[]? OneOf { get; set; }

    public SchemaNode? Not { get; set; }

    public SchemaNode? If { get; set; }

    public SchemaNode? Then { get; set; }

    public SchemaNode? Else { get; set; }

    /// <summary>Schemas applied to the same instance (no descent into the document); a cycle among them would never end.</summary>
    public IEnumerable<SchemaNode> InPlaceApplicators()
    {
        if (Reference is not null)
            yield return Reference;
        foreach (var group in new[] { AllOf, AnyOf, OneOf })
        {
            if (group is null)
                continue;
            foreach (var schema in group)
                yield return schema;
        }

        foreach (var single in new[] { Not, If, Then, Else })
        {
            if (single is not null)
                yield return single;
        }

        if (DependentSchemas is not null)
        {
            foreach (var schema in DependentSchemas.Values)
                yield return schema;
        }
    }

    public bool Validate(JsonElement instance, ValidationContext context)
    {
        if (Constant is bool constant)
        {
            if (!constant)
                context.Report("no value is allowed here");
            return constant;
        }

        // Document depth and in-place schema depth are both bounded at load and parse; this turns any combination that
        // still gets too deep into an exception the caller reports instead of a process-ending stack overflow.
        RuntimeHelpers.EnsureSufficientExecutionStack();
        if (Reference is not null)
            return Reference.Validate(instance, context);

        var valid = true;
        var kind = instance.ValueKind;

        if (Types != InstanceTypes.None && !MatchesType(instance, kind))
        {
            context.Report($"expected {TypeText} but found {Describe(instance, kind)}");
            if (!context.Collecting)
                return false;
            valid = false;
        }

        if (Const is JsonElement constValue && !JsonValueEquality.Instance.Equals(constValue, instance))
        {
            if (context.Collecting)
                context.Report($"must be {Abbreviate(constValue.GetRawText())}");
            if (!context.Collecting)
                return false;
            valid = false;
        }

        if (Enum is not null && !InEnum(instance))
        {
            // Only built when someone reads it: inside anyOf/oneOf alternatives failures are expected and silent.
            if (context.Collecting)
                context.Report($"must be one of {Abbreviate(string.Join(", ", Enum.Select(e => e.GetRawText())))}");
            if (!context.Collecting)
                return false;
            valid = false;
        }

        var kindValid = kind switch
        {
            JsonValueKind.Number => ValidateNumber(instance, context),
            JsonValueKind.String => ValidateString(instance, context),
            JsonValueKind.Object => ValidateObject(instance, context),
            JsonValueKind.Array => ValidateArray(instance, context),
            _ => true,
        };
        if (!kindValid)
        {
            if (!context.Collecting)
                return false;
            valid = false;
        }

        if (AllOf is not null || AnyOf is not null || OneOf is not null || Not is not null || If is not null)
        {
            if (!ValidateCombinators(instance, context))
                valid = false;
        }

        return valid;
    }

    private bool InEnum(JsonElement instance)
    {
        if (instance.ValueKind == JsonValueKind.String)
        {
            // Comparing the document's UTF-8 bytes with each candidate avoids materialising the instance string:
            // enums of codes are the most common keyword in contract schemas.
            foreach (var candidate in EnumStrings!)
            {
                if (instance.ValueEquals(candidate))
                    return true;
            }

            return false;
        }

        foreach (var candidate in Enum!)
        {
            if (JsonValueEquality.Instance.Equals(candidate, instance))
                return true;
        }

        return false;
    }

    private bool MatchesType(JsonElement instance, JsonValueKind kind)
    {
        var types = Types;
        return kind switch
        {
            JsonValueKind.Null => (types & InstanceTypes.Null) != 0,
            JsonValueKind.True or JsonValueKind.False => (types & InstanceTypes.Boolean) != 0,
            JsonValueKind.Object => (types & InstanceTypes.Object) != 0,
            JsonValueKind.Array => (types & InstanceTypes.Array) != 0,
            JsonValueKind.String => (types & InstanceTypes.String) != 0,
            JsonValueKind.Number => (types & InstanceTypes.Number) != 0
                || ((types & InstanceTypes.Integer) != 0 && IsInteger(instance)),
            _ => false,
        };
    }

    /// <summary>Draft-07 counts any number with a zero fractional part as an integer, so 1.0 and 1e2 qualify.</summary>
    internal static bool IsInteger(JsonElement number) => ExactNumber.IsInteger(number);

    private static double ApproximateValue(JsonElement number)
    {
        // TryGetDouble refuses values beyond double's range; parsing the text yields ±infinity, which still compares right.
        return number.TryGetDouble(out var value)
            ? value
            : double.Parse(number.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    private static int Compare(JsonElement number, NumberLimit limit)
    {
        if (limit.Exact is decimal exactLimit && ExactNumber.TryGetDecimal(number, out var exact))
            return exact.CompareTo(exactLimit);
        return ExactNumber.Compare(number, limit.Text);
    }

    private bool ValidateNumber(JsonElement instance, ValidationContext context)
    {
        var valid = true;
        if (Minimum is NumberLimit minimum && Compare(instance, minimum) < 0)
        {
            context.Report($"must be at least {minimum.Text}");
            valid = false;
        }

        if (Maximum is NumberLimit maximum && Compare(instance, maximum) > 0)
        {
            context.Report($"must be at most {maximum.Text}");
            valid = false;
        }

        if (ExclusiveMinimum is NumberLimit exclusiveMinimum && Compare(instance, exclusiveMinimum) <= 0)
        {
            context.Report($"must be greater than {exclusiveMinimum.Text}");
            valid = false;
        }

        if (ExclusiveMaximum is NumberLimit exclusiveMaximum && Compare(instance, exclusiveMaximum) >= 0)
        {
            context.Report($"must be less than {exclusiveMaximum.Text}");
            valid = false;
        }

        if (MultipleOf is NumberLimit multipleOf && !IsMultipleOf(instance, multipleOf))
        {
            context.Report($"must be a multiple of {multipleOf.Text}");
            valid = false;
        }

        return valid;
    }

    private static bool IsMultipleOf(JsonElement instance, NumberLimit divisor)
    {
        // Decimal remainder is exact for the decimal fractions people write (0.01 of a krona), where double is not.
        if (divisor.Exact is decimal exactDivisor && ExactNumber.TryGetDecimal(instance, out var exact))
            return exact % exactDivisor == 0m;
        if (ExactNumber.IsMultipleOf(instance, divisor.Text) is bool multiple)
            return multiple;
        var value = ApproximateValue(instance);
        var quotient = value / divisor.Approximate;
        if (double.IsFinite(quotient))
            return Math.Floor(quotient) == quotient;

        // Beyond double's range the quotient overflows; an integer is still a multiple of any 1/n (0.5, 0.25, 1).
        return IsInteger(instance) && divisor.Exact is decimal d && d <= 1m && 1m / d == decimal.Truncate(1m / d);
    }

    private bool ValidateString(JsonElement instance, ValidationContext context)
    {
        if (MinLength is null && MaxLength is null && Pattern is null && Format is null)
            return true;

        // As with property names: short strings without escapes are decoded onto the stack instead of into a new string.
        var raw = JsonMarshal.GetRawUtf8Value(instance);
        var content = raw.Length >= 2 ? raw[1..^1] : [];
        if (raw.Length < 2 || content.Length > MaxStackString || content.Contains((byte)'\\'))
            return ValidateText(instance.GetString()!, context);
        Span<char> buffer = stackalloc char[content.Length];
        return ValidateText(buffer[..Encoding.UTF8.GetChars(content, buffer)], context);
    }

    private bool ValidateText(ReadOnlySpan<char> text, ValidationContext context)
    {
        var valid = true;
        if (MinLength is not null || MaxLength is not null)
        {
            var length = CodePointLength(text);
            if (length < MinLength)
            {
                context.Report($"must be at least {MinLength} characters long");
                valid = false;
            }

            if (length > MaxLength)
            {
                context.Report($"must be at most {MaxLength} characters long");
                valid = false;
            }
        }

        if (Pattern is not null)
        {
            var matches = TryMatch(Pattern, text, context);
            if (matches is null)
            {
                context.Report($"could not be checked against the pattern {Pattern.Source} in time");
                valid = false;
            }
            else if (matches == false)
            {
                context.Report($"does not match the pattern {Pattern.Source}");
                valid = false;
            }
        }

        if (Format is not null)
        {
            var formatValid = Format == DraftFormats.Date ? DraftFormats.IsDate(text) : DraftFormats.IsDateTime(text);
            if (!formatValid)
            {
                context.Report(Format == DraftFormats.Date
                    ? "is not a valid date (expected YYYY-MM-DD)"
                    : "is not a valid date-time (expected RFC 3339, e.g. 2022-06-01T12:00:00Z)");
                valid = false;
            }
        }

        return valid;
    }

    /// <summary>Null when the pattern ran out of time: the caller reports that instead of guessing a verdict.</summary>
    private static bool? TryMatch(CompiledPattern pattern, ReadOnlySpan<char> text, ValidationContext context)
    {
        if (context.PatternTicksLeft <= 0)
            return null;
        var started = Stopwatch.GetTimestamp();
        try
        {
            return pattern.Regex.IsMatch(text);
        }
        catch (RegexMatchTimeoutException)
        {
            return null;
        }
        finally
        {
            context.PatternTicksLeft -= Stopwatch.GetTimestamp() - started;
        }
    }

    /// <summary>JSON Schema lengths count Unicode code points, so a surrogate pair is one character.</summary>
    private static long CodePointLength(ReadOnlySpan<char> text)
    {
        long length = text.Length;
        for (var i = 0; i < text.Length - 1; i++)
        {
            if (char.IsHighSurrogate(text[i]) && char.IsLowSurrogate(text[i + 1]))
            {
                length--;
                i++;
            }
        }

        return length;
    }

    private bool ValidateObject(JsonElement instance, ValidationContext context)
    {
        var valid = true;
        if (MinProperties is not null || MaxProperties is not null)
        {
            var count = instance.GetPropertyCount();
            if (count < MinProperties)
            {
                context.Report($"must have at least {MinProperties} properties");
                valid = false;
            }

            if (count > MaxProperties)
            {
                context.Report($"must have at most {MaxProperties} properties");
                valid = false;
            }

            if (!valid && !context.Collecting)
                return false;
        }

        if (Required is not null)
        {
            foreach (var name in Required)
            {
                if (!instance.TryGetProperty(name, out _))
                {
                    context.Report("is required", name);
                    if (!context.Collecting)
                        return false;
                    valid = false;
                }
            }
        }

        if (DependentRequired is not null)
        {
            foreach (var (trigger, names) in DependentRequired)
            {
                if (!instance.TryGetProperty(trigger, out _))
                    continue;
                foreach (var name in names)
                {
                    if (!instance.TryGetProperty(name, out _))
                    {
                        context.Report($"is required when '{trigger}' is present", name);
                        if (!context.Collecting)
                            return false;
                        valid = false;
                    }
                }
            }
        }

        if (DependentSchemas is not null)
        {
            foreach (var (trigger, schema) in DependentSchemas)
            {
                if (instance.TryGetProperty(trigger, out _) && !schema.Validate(instance, context))
                {
                    if (!context.Collecting)
                        return false;
                    valid = false;
                }
            }
        }

        if (Properties is null && PatternProperties is null && AdditionalProperties is null && PropertyNames is null)
            return valid;

        foreach (var property in instance.EnumerateObject())
        {
            if (!ValidateProperty(property, context))
            {
                if (!context.Collecting)
                    return false;
                valid = false;
            }
        }

        return valid;
    }

    private bool ValidateProperty(JsonProperty property, ValidationContext context)
    {
        // Property names are matched from the document's own bytes: decoding short, unescaped names onto the stack
        // avoids allocating a string per property, a large share of the cost of validating small records.
        var raw = JsonMarshal.GetRawUtf8PropertyName(property);
        Span<char> buffer = stackalloc char[raw.Length <= MaxStackName ? raw.Length : 0];
        ReadOnlySpan<char> name = raw.Length <= MaxStackName && !raw.Contains((byte)'\\')
            ? buffer[..Encoding.UTF8.GetChars(raw, buffer)]
            : property.Name;
        var valid = true;
        var matched = false;
        context.Path.Push(property);
        try
        {
            if (_propertiesByName is { } properties && properties.TryGetValue(name, out var declared))
            {
                matched = true;
                valid = declared.Validate(property.Value, context);
                if (!valid && !context.Collecting)
                    return false;
            }

            if (PatternProperties is not null)
            {
                foreach (var (pattern, schema) in PatternProperties)
                {
                    var matches = TryMatch(pattern, name, context);
                    if (matches is null)
                    {
                        context.Report($"property name could not be checked against the pattern {pattern.Source} in time");
                        return false;
                    }

                    if (matches == true)
                    {
                        matched = true;
                        if (!schema.Validate(property.Value, context))
                        {
                            if (!context.Collecting)
                                return false;
                            valid = false;
                        }
                    }
                }
            }

            if (!matched && AdditionalProperties is not null)
            {
                if (AdditionalProperties.Constant == false)
                {
                    context.Report("is not an allowed property here");
                    valid = false;
                }
                else if (!AdditionalProperties.Validate(property.Value, context))
                {
                    valid = false;
                }

                if (!valid && !context.Collecting)
                    return false;
            }

            if (PropertyNames is not null && !NameSatisfiesPropertyNames(property.Name, context))
            {
                context.Report("is not an allowed property name (propertyNames)");
                valid = false;
            }

            return valid;
        }
        finally
        {
            context.Path.Pop();
        }
    }

    private bool NameSatisfiesPropertyNames(string name, ValidationContext context)
    {
        // The name is validated as a JSON string instance; building one is rare work, only for schemas using propertyNames.
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
            writer.WriteStringValue(name);
        using var nameDocument = JsonDocument.Parse(buffer.WrittenMemory);
        context.Silence();
        try
        {
            return PropertyNames!.Validate(nameDocument.RootElement, context);
        }
        finally
        {
            context.Unsilence();
        }
    }

    private bool ValidateArray(JsonElement instance, ValidationContext context)
    {
        var valid = true;
        var length = instance.GetArrayLength();
        if (length < MinItems)
        {
            context.Report($"must have at least {MinItems} items");
            valid = false;
        }

        if (length > MaxItems)
        {
            context.Report($"must have at most {MaxItems} items");
            valid = false;
        }

        if (!valid && !context.Collecting)
            return false;

        if (Items is not null || TupleItems is not null)
        {
            var index = 0;
            foreach (var item in instance.EnumerateArray())
            {
                var schema = TupleItems is null ? Items : index < TupleItems.Length ? TupleItems[index] : AdditionalItems;
                if (schema is not null)
                {
                    context.Path.Push(index);
                    var itemValid = schema.Validate(item, context);
                    context.Path.Pop();
                    if (!itemValid)
                    {
                        if (!context.Collecting)
                            return false;
                        valid = false;
                    }
                }

                index++;
            }
        }

        if (Contains is not null && !AnyItemMatches(instance, Contains, context))
        {
            context.Report("must contain at least one item that matches the 'contains' schema");
            if (!context.Collecting)
                return false;
            valid = false;
        }

        if (UniqueItems && length > 1)
        {
            var seen = new HashSet<JsonElement>(length, JsonValueEquality.Instance);
            var index = 0;
            foreach (var item in instance.EnumerateArray())
            {
                if (!seen.Add(item))
                {
                    context.Path.Push(index);
                    context.Report("repeats an earlier item; the items must be unique");
                    context.Path.Pop();
                    valid = false;
                    break;
                }

                index++;
            }
        }

        return valid;
    }

    private static bool AnyItemMatches(JsonElement array, SchemaNode schema, ValidationContext context)
    {
        context.Silence();
        try
        {
            foreach (var item in array.EnumerateArray())
            {
                if (schema.Validate(item, context))
                    return true;
            }

            return false;
        }
        finally
        {
            context.Unsilence();
        }
    }

    private bool ValidateCombinators(JsonElement instance, ValidationContext context)
    {
        var valid = true;
        if (AllOf is not null)
        {
            foreach (var schema in AllOf)
            {
                if (!schema.Validate(instance, context))
                {
                    if (!context.Collecting)
                        return false;
                    valid = false;
                }
            }
        }

        if (AnyOf is not null && CountMatches(AnyOf, instance, context, stopAt: 1) == 0)
        {
            context.Report("does not match any of the allowed alternatives (anyOf)");
            if (!context.Collecting)
                return false;
            valid = false;
        }

        if (OneOf is not null)
        {
            var matches = CountMatches(OneOf, instance, context, stopAt: 2);
            if (matches != 1)
            {
                context.Report(matches == 0
                    ? "does not match any of the alternatives (oneOf)"
                    : "matches more than one of the alternatives (oneOf)");
                if (!context.Collecting)
                    return false;
                valid = false;
            }
        }

        if (Not is not null && CountMatches([Not], instance, context, stopAt: 1) == 1)
        {
            context.Report("matches a schema it must not match (not)");
            if (!context.Collecting)
                return false;
            valid = false;
        }

        if (If is not null)
        {
            var branch = CountMatches([If], instance, context, stopAt: 1) == 1 ? Then : Else;
            if (branch is not null && !branch.Validate(instance, context))
                valid = false;
        }

        return valid;
    }

    private static int CountMatches(SchemaNode[] schemas, JsonElement instance, ValidationContext context, int stopAt)
    {
        context.Silence();
        try
        {
            var matches = 0;
            foreach (var schema in schemas)
            {
                if (schema.Validate(instance, context) && ++matches == stopAt)
                    break;
            }

            return matches;
        }
        finally
        {
            context.Unsilence();
        }
    }

    private static string Describe(JsonElement instance, JsonValueKind kind) => kind switch
    {
        JsonValueKind.Null => "null",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => IsInteger(instance) ? "integer" : "number",
        _ => kind.ToString(),
    };

    private static string Abbreviate(string text) => text.Length <= 80 ? text : string.Concat(text.AsSpan(0, 77), "...");
}
