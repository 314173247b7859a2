using System.Text;
using ConfigurableContracts.Rules.Evaluation;

namespace ConfigurableContracts.Core.Decisions;

/// <summary>
/// The stored text of a decision's action output and result tree. Replay serialises a replayed result here too,
/// so a stored tree and its replay compare byte for byte.
/// </summary>
internal static class DecisionSerialisation
{
    [ThreadStatic]
    private static Utf8Scratch? t_json;

    public static string? OutputJson(object? output)
    {
        if (output is null)
        {
            return null;
        }

        var scratch = Utf8Scratch.For(ref t_json);
        var writer = scratch.Start();
        RuleResultJson.WriteValue(writer, output);
        writer.Flush();
        return Encoding.UTF8.GetString(scratch.Written);
    }

    public static string ResultJson(RuleResultTree result) => Encoding.UTF8.GetString(ResultJsonUtf8(result));

    public static byte[] ResultJsonUtf8(RuleResultTree result)
    {
        var scratch = Utf8Scratch.For(ref t_json);
        var writer = scratch.Start();
        RuleResultJson.WriteResult(writer, result);
        writer.Flush();
        return scratch.Written.ToArray();
    }
}
