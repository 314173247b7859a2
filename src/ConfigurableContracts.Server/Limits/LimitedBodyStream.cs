namespace ConfigurableContracts.Server.Limits;

/// <summary>
/// A request body that fails with 413 once more than <c>limit</c> bytes have been read. Kestrel enforces its own
/// limit when it can, but a chunked body has no Content-Length to check up front and the in-process test host has
/// no limit at all, so the count is kept here too.
/// </summary>
internal sealed class LimitedBodyStream(Stream inner, long limit) : Stream
{
    private long _read;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int Count(int read)
    {
        _read += read;
        if (_read > limit)
        {
            throw new BadHttpRequestException(RequestLimits.TooLargeDetail(limit), StatusCodes.Status413PayloadTooLarge);
        }

        return read;
    }
}
