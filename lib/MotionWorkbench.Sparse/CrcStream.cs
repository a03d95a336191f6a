using MotionWorkbench.IO;

namespace MotionWorkbench.Sparse;

/// <summary>Write-only stream that forwards to an inner stream (or nowhere) while counting bytes and updating a CRC-32.</summary>
internal sealed class CrcStream(Stream? inner) : Stream
{
    public uint Crc { get; private set; }
    public long Written { get; private set; }
    public bool ComputeCrc { get; init; } = true;

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (ComputeCrc) Crc = Crc32.Update(Crc, buffer);
        Written += buffer.Length;
        inner?.Write(buffer);
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => Written;
    public override long Position { get => Written; set => throw new NotSupportedException(); }
    public override void Flush() => inner?.Flush();
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
