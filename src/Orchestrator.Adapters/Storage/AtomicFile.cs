using System.Buffers;
using System.Runtime.InteropServices;
using Orchestrator.Core;

namespace Orchestrator.Adapters.Storage;

/// <summary>
/// Replaces a file so that a crash at any instant leaves either the old or the new content:
/// write a temporary file beside it, fsync it, rename it over the target, fsync the directory.
/// </summary>
public static partial class AtomicFile
{
    public static void Write(string path, ReadOnlySpan<byte> content)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var temp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                fs.Write(content);
                fs.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
            SyncDirectory(dir);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new OrcException($"{path}: cannot write: {ex.Message} (the file is unchanged)");
        }
    }

    /// <summary>
    /// Like <see cref="Write(string, ReadOnlySpan{byte})"/>, for content written piece by piece by
    /// <paramref name="write"/>, straight to the temporary file (a large file is never held in
    /// memory whole a second time).
    /// </summary>
    public static void Write(string path, Action<IBufferWriter<byte>> write)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var temp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0))
            {
                var writer = new StreamBufferWriter(fs);
                write(writer);
                writer.Flush();
                fs.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
            SyncDirectory(dir);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new OrcException($"{path}: cannot write: {ex.Message} (the file is unchanged)");
        }
        catch
        {
            TryDelete(temp); // the content could not be made: nothing is left behind
            throw;
        }
    }

    /// <summary>Appends and fsyncs (for logs of kept data such as the quarantine).</summary>
    public static void Append(string path, ReadOnlySpan<byte> content)
    {
        try
        {
            using var fs = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
            fs.Write(content);
            fs.Flush(flushToDisk: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new OrcException($"{path}: cannot write: {ex.Message}");
        }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static void SyncDirectory(string dir)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return;
        if (Libc.SyncDirectory(dir) is not null) return; // glibc, found by its soname
        var fd = Open(dir, 0 /* O_RDONLY */);
        if (fd < 0) return;
        try { _ = Fsync(fd); }
        finally { _ = Close(fd); }
    }

    // Elsewhere (macOS): the runtime's search for "libc". On Linux that search tries libc.so (a
    // linker script) and a dozen folders first, a few milliseconds on every change.
    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync")]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
