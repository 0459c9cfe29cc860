namespace Orchestrator.Core.Text;

/// <summary>
/// Whether the arguments a process was given on its command line were text. orc stores text as
/// given, so an argument that was not UTF-8 is refused rather than kept with U+FFFD in place of
/// the bytes it could not read.
/// </summary>
/// <remarks>
/// On Linux, .NET decodes argv as UTF-8 before <c>Main</c> runs, replacing every invalid sequence
/// with U+FFFD, and keeps no copy of the bytes. U+FFFD alone cannot tell a replaced byte from a
/// U+FFFD the user meant, so the bytes decide: <c>/proc/self/cmdline</c> holds them exactly. They
/// are read only when an argument holds U+FFFD, so the usual start-up reads nothing more. Where
/// they cannot be read (no /proc, or a command line that does not line up with the arguments),
/// an argument holding U+FFFD is refused: a refusal the user can see beats text silently changed.
/// </remarks>
public static class CommandLineText
{
    /// <summary>An argument that was not UTF-8: its index, and the 1-based byte where it stops being UTF-8 (null when the bytes were not available).</summary>
    public readonly record struct NotUtf8(int Index, int? Byte);

    /// <summary>
    /// The first argument of <paramref name="args"/> that was not UTF-8 on the command line, or null.
    /// <paramref name="commandLine"/> gives the command line's arguments as bytes (the program and
    /// its host first; <paramref name="args"/> are the last of them), or null when they cannot be read.
    /// </summary>
    public static NotUtf8? FirstNotUtf8(IReadOnlyList<string> args, Func<IReadOnlyList<byte[]>?> commandLine)
    {
        var first = -1;
        for (var i = 0; i < args.Count && first < 0; i++)
            if (args[i].Contains('\uFFFD')) first = i;
        if (first < 0) return null;

        var raw = commandLine();
        if (raw is null || raw.Count < args.Count) return new NotUtf8(first, null);
        var offset = raw.Count - args.Count;
        for (var i = first; i < args.Count; i++)
        {
            if (!args[i].Contains('\uFFFD')) continue;
            var bytes = raw[offset + i];
            // The bytes must be this argument (decoded as .NET decoded it); else the command line does not line up.
            if (System.Text.Encoding.UTF8.GetString(bytes) != args[i]) return new NotUtf8(i, null);
            var chars = new char[bytes.Length];
            if (System.Text.Unicode.Utf8.ToUtf16(bytes, chars, out var valid, out _, replaceInvalidSequences: false) != System.Buffers.OperationStatus.Done)
                return new NotUtf8(i, valid + 1);
        }
        return null;
    }
}
