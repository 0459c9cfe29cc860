using System.Runtime.InteropServices;

namespace Orchestrator.Adapters.Storage;

/// <summary>
/// The few C library calls orc makes itself, found in glibc by its soname (<c>libc.so.6</c>): a
/// <c>[LibraryImport("libc")]</c> makes the runtime search for "libc" first (libc.so, a linker
/// script, then a dozen folders), milliseconds on a command's path. Null members where there is
/// no glibc; callers then do without, or fall back to the search.
/// </summary>
internal static unsafe class Libc
{
    private static readonly nint Glibc = OperatingSystem.IsLinux() && NativeLibrary.TryLoad("libc.so.6", out var h) ? h : 0;

    public static readonly delegate* unmanaged<nuint, nuint, int, int> MAdvise = (delegate* unmanaged<nuint, nuint, int, int>)Export("madvise");
    private static readonly delegate* unmanaged<byte*, int, int> Open = (delegate* unmanaged<byte*, int, int>)Export("open");
    private static readonly delegate* unmanaged<int, int> Fsync = (delegate* unmanaged<int, int>)Export("fsync");
    private static readonly delegate* unmanaged<int, int> Close = (delegate* unmanaged<int, int>)Export("close");

    private static nint Export(string name) => Glibc != 0 && NativeLibrary.TryGetExport(Glibc, name, out var f) ? f : 0;

    /// <summary>fsync of a folder (so a rename in it is durable); null when glibc is not there to ask.</summary>
    public static bool? SyncDirectory(string dir)
    {
        if (Open is null || Fsync is null || Close is null) return null;
        var path = System.Text.Encoding.UTF8.GetBytes(dir + "\0");
        int fd;
        fixed (byte* p = path) fd = Open(p, 0 /* O_RDONLY */);
        if (fd < 0) return false;
        try { return Fsync(fd) == 0; }
        finally { _ = Close(fd); }
    }
}
