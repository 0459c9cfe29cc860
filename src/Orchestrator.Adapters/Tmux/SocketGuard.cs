using System.Runtime.InteropServices;
using Orchestrator.Core;
using Orchestrator.Core.Text;

namespace Orchestrator.Adapters.Tmux;

/// <summary>
/// Checks, before orc talks to its tmux server, that nobody else can reach it: the socket name is
/// a plain file name (never a path), the socket directory (<c>$TMUX_TMPDIR/tmux-UID</c>) is a real
/// directory owned by this user and private to them (no group or other permission bits), and the
/// socket, when there is one, is a socket owned by this user. Anything else is refused with a
/// one-line error saying what to do; orc does not change another user's files.
/// </summary>
public static partial class SocketGuard
{
    /// <summary>Refuses a socket name that is not a plain name (tmux puts it in its directory: a '/' or '..' would leave it).</summary>
    public static string ValidateName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 64 || name[0] is '.' or '-' ||
            !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            throw new OrcException($"tmux socket name '{TerminalText.Line(name.Length > 70 ? name[..70] + "…" : name)}' is not valid (ORC_TMUX_SOCKET: letters, digits, '-', '_' and '.', not starting with '.' or '-', at most 64)", ExitCodes.Usage);
        return name;
    }

    /// <summary>What a socket directory is, as far as orc's rule goes (see <see cref="Inspect"/>).</summary>
    public enum FolderState { Missing, Private, NotADirectory, OtherOwner, Loose }

    /// <summary>One look at a socket directory: its state, owner and permission bits.</summary>
    public readonly record struct Folder(FolderState State, uint Owner, uint Mode)
    {
        public string Octal => "0" + Convert.ToString(Mode & 0xFFF, 8);
    }

    /// <summary>Where tmux keeps the sockets of this user: <c>$TMUX_TMPDIR</c> (or /tmp), then <c>tmux-UID</c>.</summary>
    public static string DirectoryFor(string? tmuxTmpDir) =>
        Path.Combine(tmuxTmpDir is { Length: > 0 } d ? d : "/tmp", $"tmux-{GetUid()}");

    /// <summary>
    /// Looks at <paramref name="dir"/> itself (a symlink is not followed): missing, private (a
    /// directory of this user with no group or other bits), or what is wrong with it.
    /// </summary>
    public static Folder Inspect(string dir)
    {
        if (!OperatingSystem.IsLinux()) return new(FolderState.Private, 0, 0);
        if (Lstat(dir) is not { } d) return new(FolderState.Missing, 0, 0);
        var state = (d.Mode & TypeMask) != TypeDirectory ? FolderState.NotADirectory
            : d.Uid != GetUid() ? FolderState.OtherOwner
            : (d.Mode & 0x3F) != 0 ? FolderState.Loose
            : FolderState.Private;
        return new(state, d.Uid, d.Mode);
    }

    /// <summary>
    /// Checks the directory and socket at <paramref name="socketPath"/>. Returns false when the
    /// directory does not exist yet (tmux makes it private when it starts the server; check again then).
    /// </summary>
    public static bool Check(string socketPath)
    {
        if (!OperatingSystem.IsLinux()) return true;
        var uid = GetUid();
        var dir = Path.GetDirectoryName(socketPath)!;
        var folder = Inspect(dir);
        switch (folder.State)
        {
            case FolderState.Missing: return false;
            case FolderState.NotADirectory:
                throw new OrcException($"tmux socket directory {dir} is not a directory (a symlink or a file?); orc will not use it: remove it, or set TMUX_TMPDIR to a private directory");
            case FolderState.OtherOwner:
                throw new OrcException($"tmux socket directory {dir} is owned by uid {folder.Owner}, not you (uid {uid}); orc will not use it: remove it, or set TMUX_TMPDIR to a private directory");
            case FolderState.Loose:
                throw new OrcException($"tmux socket directory {dir} has mode {Convert.ToString(folder.Mode & 0xFFF, 8)}, so other users can reach orc's agents; make it private with 'chmod 700 {dir}'");
        }
        if (Lstat(socketPath) is { } s)
        {
            if ((s.Mode & TypeMask) != TypeSocket)
                throw new OrcException($"tmux socket {socketPath} is not a socket; orc will not use it: remove it");
            if (s.Uid != uid)
                throw new OrcException($"tmux socket {socketPath} is owned by uid {s.Uid}, not you (uid {uid}); orc will not use it: remove it");
        }
        return true;
    }

    private const uint TypeMask = 0xF000, TypeDirectory = 0x4000, TypeSocket = 0xC000;

    private readonly record struct Stat(uint Uid, uint Mode);

    /// <summary>The owner and mode of <paramref name="path"/> itself (a symlink is not followed); null when it does not exist.</summary>
    private static Stat? Lstat(string path) =>
        // statx has one layout on every architecture: stx_uid at byte 20, stx_mode (16 bits) at 28.
        StatxOf(path, 0x100 /* AT_SYMLINK_NOFOLLOW */) is { } buffer ? new Stat(BitConverter.ToUInt32(buffer, 20), BitConverter.ToUInt16(buffer, 28)) : null;

    /// <summary>
    /// True when both paths name the same file (its device and inode, symlinks followed), e.g. one
    /// socket reached through a symlinked folder; false when either is missing, or off Linux.
    /// </summary>
    public static bool SameFile(string a, string b)
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            // stx_ino at byte 32, stx_dev_major and stx_dev_minor at 136 and 140.
            if (StatxOf(a, 0) is not { } x || StatxOf(b, 0) is not { } y) return false;
            return x.AsSpan(32, 8).SequenceEqual(y.AsSpan(32, 8)) && x.AsSpan(136, 8).SequenceEqual(y.AsSpan(136, 8));
        }
        catch (OrcException) { return false; }
    }

    /// <summary>statx(2) of <paramref name="path"/> (the raw struct); null when it does not exist.</summary>
    private static byte[]? StatxOf(string path, int flags)
    {
        var buffer = new byte[256];
        if (Statx(-100 /* AT_FDCWD */, path, flags, 0x0fff /* STATX_BASIC_STATS */, buffer) == 0) return buffer;
        var errno = Marshal.GetLastPInvokeError();
        if (errno is 2 /* ENOENT */ or 20 /* ENOTDIR */) return null;
        throw new OrcException($"cannot check {path}: {Marshal.GetPInvokeErrorMessage(errno)}");
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, byte[] buffer);

    [LibraryImport("libc", EntryPoint = "getuid")]
    internal static partial uint GetUid();
}
