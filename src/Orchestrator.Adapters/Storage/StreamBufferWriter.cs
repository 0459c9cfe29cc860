using System.Buffers;

namespace Orchestrator.Adapters.Storage;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> that passes what is written on to a stream in 64 KB pieces,
/// so that writing a large file needs no buffer the size of the file.
/// </summary>
internal sealed class StreamBufferWriter(Stream stream) : IBufferWriter<byte>
{
    private byte[] _buffer = new byte[64 * 1024];
    private int _used;

    public void Advance(int count)
    {
        if (count < 0 || _used + count > _buffer.Length) throw new ArgumentOutOfRangeException(nameof(count));
        _used += count;
    }

    // Reserve first: it may replace the buffer (_buffer.AsMemory(Reserve(...)) would read the old one).
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        var at = Reserve(sizeHint);
        return _buffer.AsMemory(at);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        var at = Reserve(sizeHint);
        return _buffer.AsSpan(at);
    }

    /// <summary>Writes out what the buffer holds.</summary>
    public void Flush()
    {
        if (_used == 0) return;
        stream.Write(_buffer, 0, _used);
        _used = 0;
    }

    /// <summary>Makes room for at least <paramref name="sizeHint"/> bytes (at least one); returns where it begins.</summary>
    private int Reserve(int sizeHint)
    {
        var needed = Math.Max(1, sizeHint);
        if (_buffer.Length - _used >= needed) return _used;
        Flush();
        if (_buffer.Length < needed) _buffer = new byte[Math.Max(needed, _buffer.Length * 2)];
        return 0;
    }
}
