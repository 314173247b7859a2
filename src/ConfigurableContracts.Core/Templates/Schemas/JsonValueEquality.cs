using System.Text.Json;

namespace ConfigurableContracts.Core.Templates.Schemas;

/// <summary>
/// JSON Schema's notion of equal instances, used by <c>const</c>, <c>enum</c> and <c>uniqueItems</c>: numbers are equal
/// by value (1 and 1.0 are the same), objects regardless of property order, arrays element by element.
/// </summary>
internal sealed class JsonValueEquality : IEqualityComparer<JsonElement>
{
    public static readonly JsonValueEquality Instance = new();

    public bool Equals(JsonElement x, JsonElement y)
    {
        if (x.ValueKind != y.ValueKind)
        {
            // true/false are distinct kinds in System.Text.Json; any other kind mismatch is inequality too.
            return false;
        }

        switch (x.ValueKind)
        {
            case JsonValueKind.Number:
                return NumbersEqual(x, y);
            case JsonValueKind.String:
                return x.ValueEquals(y.GetString());
            case JsonValueKind.Array:
                if (x.GetArrayLength() != y.GetArrayLength())
                    return false;
                using (var left = x.EnumerateArray())
                using (var right = y.EnumerateArray())
                {
                    while (left.MoveNext() && right.MoveNext())
                    {
                        if (!Equals(left.Current, right.Current))
                            return false;
                    }
                }

                return true;
            case JsonValueKind.Object:
                var count = 0;
                foreach (var property in x.EnumerateObject())
                {
                    count++;
                    if (!y.TryGetProperty(property.Name, out var other) || !Equals(property.Value, other))
                        return false;
                }

                foreach (var unused in y.EnumerateObject())
                    count--;
                return count == 0;
            default:
                // Null, True, False: the kind is the value.
                return true;
        }
    }

    public int GetHashCode(JsonElement obj)
    {
        switch (obj.ValueKind)
        {
            case JsonValueKind.Number:
                return ExactNumber.Hash(obj);
            case JsonValueKind.String:
                return StringComparer.Ordinal.GetHashCode(obj.GetString()!);
            case JsonValueKind.Array:
                var arrayHash = new HashCode();
                foreach (var item in obj.EnumerateArray())
                    arrayHash.Add(GetHashCode(item));
                return arrayHash.ToHashCode();
            case JsonValueKind.Object:
                // Order-independent: XOR of the member hashes.
                var objectHash = 17;
                foreach (var property in obj.EnumerateObject())
                    objectHash ^= HashCode.Combine(StringComparer.Ordinal.GetHashCode(property.Name), GetHashCode(property.Value));
                return objectHash;
            default:
                return (int)obj.ValueKind;
        }
    }

    // By exact value: through decimal or double, 1e-30 would equal 0 and 9007199254740993 equal 9007199254740992.
    internal static bool NumbersEqual(JsonElement x, JsonElement y) => ExactNumber.Equal(x, y);
}
