using System.Text;

namespace ConfigurableContracts.Core.Data;

/// <summary>
/// Text already encoded as UTF-8, for a TEXT column. The nightly run builds snapshots and result trees as UTF-8 and
/// SQLite stores UTF-8: held as a string in between, each was transcoded twice (to UTF-16 and back) and took twice
/// the memory while it waited for its batch to be written. Other databases get the string.
/// </summary>
internal sealed class Utf8Text(byte[] bytes)
{
    public ReadOnlySpan<byte> Bytes => bytes;

    public static Utf8Text From(string text) => new(Encoding.UTF8.GetBytes(text));

    public override string ToString() => Encoding.UTF8.GetString(bytes);
}
