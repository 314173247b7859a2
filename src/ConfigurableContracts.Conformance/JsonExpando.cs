using System.Dynamic;
using System.Text.Json;

namespace ConfigurableContracts.Conformance;

/// <summary>
/// JSON as RulesEngine's users hand it over: objects as <see cref="ExpandoObject"/>, arrays as lists, integers as
/// <see cref="long"/> and other numbers as <see cref="double"/> (what Newtonsoft's ExpandoObjectConverter, the usual
/// route in RulesEngine's samples, produces), strings as strings.
/// </summary>
public static class JsonExpando
{
    public static object? From(JsonElement json) => json.ValueKind switch
    {
        JsonValueKind.Object => Object(json),
        JsonValueKind.Array => json.EnumerateArray().Select(From).ToList(),
        JsonValueKind.String => json.GetString(),
        JsonValueKind.Number => json.TryGetInt64(out var integer) ? integer : json.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    private static ExpandoObject Object(JsonElement json)
    {
        var expando = new ExpandoObject();
        IDictionary<string, object?> members = expando;
        foreach (var property in json.EnumerateObject())
            members[property.Name] = From(property.Value);
        return expando;
    }
}
