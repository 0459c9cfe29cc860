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
                try
                {
                    stream.SetLength(0);
                    var note = System.Text.Encoding.UTF8.GetBytes($"{Environment.ProcessId} {purpose}\n");
                    stream.Write(note);
                    stream.Flush();
                }
                catch (IOException) { /* the note is only a diagnostic */ }
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
                throw new OrcException($"timed out after {timeout.TotalSeconds:0}s waiting for the workspace lock ({path}, held by {Holder(path)}); try again", ExitCodes.Busy);
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

    /// <summary>Who holds the lock, from the note its holder wrote ("pid 123 purpose").</summary>
    public static string Holder(string path)
    {
        try
        {
            using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var r = new StreamReader(s);
            var text = r.ReadLine();
            return string.IsNullOrWhiteSpace(text) ? "another process" : "pid " + text;
        }
        catch (IOException) { return "another process"; }
    }

    public void Dispose() => _stream.Dispose();
}
