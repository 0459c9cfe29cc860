using System.Runtime.InteropServices;

namespace Orchestrator.Adapters.Storage;

/// <summary>
/// Reads a whole file into one array, as <see cref="File.ReadAllBytes"/> does, for the ledger and
/// its index (megabytes, read by nearly every orc command). On Linux the array's memory is first
/// marked for transparent huge pages (<c>madvise(MADV_HUGEPAGE)</c>, which distributions leave to
/// madvise): filling 68 MB then takes ~450 page faults instead of ~17,000, about 2.5x faster.
/// The advice only changes how the kernel backs the memory; where it is not available nothing
/// changes. A file that grows while it is read is read again.
/// </summary>
public static unsafe class FileBytes
{
    /// <summary>Below this the advice cannot cover a whole 2 MB page worth having.</summary>
    private const int AdviseFrom = 4 << 20;
    private const int HugePage = 2 << 20;
    private const int MadvHugePage = 14;

    public static byte[] ReadAll(string path)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        Span<byte> probe = stackalloc byte[1];
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var length = RandomAccess.GetLength(handle);
            if (length > Array.MaxLength) throw new IOException($"{path} is too large to read ({length:N0} bytes)");
            var buffer = length >= AdviseFrom ? GC.AllocateUninitializedArray<byte>((int)length) : new byte[length];
            if (length >= AdviseFrom) Advise(buffer);
            var read = 0;
            while (read < buffer.Length)
            {
                var n = RandomAccess.Read(handle, buffer.AsSpan(read), read);
                if (n == 0) break;
                read += n;
            }
            if (read < buffer.Length) return buffer.AsSpan(0, read).ToArray(); // it shrank while read: what was there
            if (RandomAccess.Read(handle, probe, read) == 0) return buffer;
        }
        return File.ReadAllBytes(path); // still growing: as the runtime reads it
    }

    private static void Advise(byte[] buffer)
    {
        if (Libc.MAdvise is null) return;
        fixed (byte* p = buffer)
        {
            // Whole 2 MB pages inside the array only: the advice is for its memory alone.
            var start = ((nuint)p + HugePage - 1) & ~(nuint)(HugePage - 1);
            var end = ((nuint)p + (nuint)buffer.Length) & ~(nuint)(HugePage - 1);
            if (end > start) _ = Libc.MAdvise(start, end - start, MadvHugePage);
        }
    }
}
