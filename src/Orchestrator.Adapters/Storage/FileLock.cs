using System.Diagnostics;
using Orchestrator.Core;

namespace Orchestrator.Adapters.Storage;

/// <summary>
/// An exclusive lock shared by every process on the machine, held as an OS file lock
/// (<c>flock</c>, taken by .NET for <see cref="FileShare.None"/>). The kernel drops it when the
/// holder dies, even by <c>kill -9</c>, so a crashed writer never leaves the workspace locked.
/// </summary>
public sealed class FileLock : IDisposable
{
    private readonly FileStream _stream;

    private FileLock(FileStream stream) => _stream = stream;

    public static FileLock Acquire(string path, TimeSpan timeout, string purpose)
    {
        try { Directory.CreateDirectory(Path.GetDirectoryName(path)!); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { throw Unwritable(path, ex); }
        var clock = Stopwatch.StartNew();
        var delay = 1;
        while (true)
        {
            try
            {
                var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
                WriteHolder(path, purpose);
                return new FileLock(stream);
            }
            catch (IOException ex) when (!IsHeldByAnother(ex))
            {
                throw Unwritable(path, ex);
            }
            catch (IOException) when (clock.Elapsed < timeout)
            {
                // Short waits: the lock is held for milliseconds per change, and a waiter sleeping
                // long after it is freed leaves it idle while every other writer waits too.
                Thread.Sleep(delay);
                delay = Math.Min(delay * 2, 4);
            }
            catch (IOException)
            {
                throw new OrcException($"timed out after {timeout.TotalSeconds:0}s waiting for the workspace lock ({path}, held by {Holder(path)}); try again",
                    ExitCodes.Busy);
            }
            catch (UnauthorizedAccessException ex)
            {
                throw Unwritable(path, ex);
            }
        }
    }

    /// <summary>The lock is taken by another process (a sharing violation), not refused by the file system.</summary>
    private static bool IsHeldByAnother(IOException ex) =>
        (ex.HResult & 0xFFFF) is 32 or 33 /* sharing, lock violation */ || ex.Message.Contains("used by another process", StringComparison.Ordinal);

    private static OrcException Unwritable(string path, Exception ex) =>
        new($"{path}: cannot take the workspace lock: the workspace is read-only or not writable by this user ({ex.Message.TrimEnd('.')}); nothing was changed");

    /// <summary>The lock if it is free now, else null (no waiting).</summary>
    public static FileLock? TryAcquire(string path, string purpose)
    {
        try { return Acquire(path, TimeSpan.Zero, purpose); }
        catch (OrcException e) when (e.ExitCode == ExitCodes.Busy) { return null; }
    }

    /// <summary>
    /// The note beside the lock (<c>LOCK.holder</c>) saying who took it: its pid, what for and
    /// since when. Beside it, not in it: the lock file itself cannot be read while it is held.
    /// </summary>
    private static string HolderFile(string path) => path + ".holder";

    private static void WriteHolder(string path, string purpose)
    {
        var file = HolderFile(path);
        var temp = $"{file}.{Environment.ProcessId}.tmp";
        try
        {
            var since = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
            File.WriteAllText(temp, $"{Environment.ProcessId}\n{Core.Text.TerminalText.Line(purpose)}\n{since}\n");
            File.Move(temp, file, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(temp); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // the note is only a diagnostic
        }
    }

    /// <summary>Who holds the lock, from the note its holder wrote: "pid 123 (orc item create, since 2026-12-03T07:50:01Z)".</summary>
    public static string Holder(string path)
    {
        try
        {
            var lines = File.ReadAllLines(HolderFile(path));
            if (lines.Length < 3 || !int.TryParse(lines[0], out var pid)) return "another process";
            // A holder that has exited cannot hold it: the note is older than the one who does.
            if (OperatingSystem.IsLinux() && !Directory.Exists($"/proc/{pid}")) return "another process";
            return $"pid {pid} ({lines[1]}, since {lines[2]})";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { return "another process"; }
    }

    public void Dispose() => _stream.Dispose();
}
