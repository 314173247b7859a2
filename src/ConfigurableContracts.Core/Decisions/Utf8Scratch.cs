using System.Buffers;
using System.Text.Json;

namespace ConfigurableContracts.Core.Decisions;

/// <summary>
/// A per-thread buffer with a JSON writer on it, reused from one call to the next. A nightly run serialises and
/// hashes several documents per participant; fresh buffers and writers for each made up a good part of the
/// gigabytes it allocated, and of the garbage collections that paused every thread.
/// </summary>
/// <remarks>
/// Each use site owns one instance (<see cref="ThreadStaticAttribute"/> fields), so a use never overlaps another on
/// the same thread; what is written must be copied out (to a string or a hash) before the next <see cref="Start"/>.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001:Types that own disposable fields should be disposable",
    Justification = "Each instance lives as long as its thread; a writer over an in-memory buffer holds nothing that disposing would release.")]
internal sealed class Utf8Scratch
{
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly Utf8JsonWriter _writer;

    private Utf8Scratch() => _writer = new Utf8JsonWriter(_buffer);

    /// <summary>The bytes written since <see cref="Start"/> (after <see cref="Utf8JsonWriter.Flush"/> for JSON).</summary>
    public ReadOnlySpan<byte> Written => _buffer.WrittenSpan;

    /// <summary>The raw buffer, for writing bytes that are not JSON.</summary>
    public IBufferWriter<byte> Buffer => _buffer;

    /// <summary>Empties the buffer and returns the JSON writer on it, as a new <c>Utf8JsonWriter(buffer)</c> would be.</summary>
    public Utf8JsonWriter Start()
    {
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        return _writer;
    }

    /// <summary>This thread's instance for a use site's field.</summary>
    public static Utf8Scratch For(ref Utf8Scratch? field) => field ??= new Utf8Scratch();
}
