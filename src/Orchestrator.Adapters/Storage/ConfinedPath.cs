using Orchestrator.Core;
using Orchestrator.Core.Text;

namespace Orchestrator.Adapters.Storage;

/// <summary>
/// Turns a path from an item (a file it owns, a path in a formula) into a full path inside a
/// worktree, or refuses it: an absolute path, a '..' that climbs out, and a symlink on the way
/// that points outside are each refused with a one-line error naming the path.
/// </summary>
public static class ConfinedPath
{
    public static string Resolve(string root, string relative, string what = "file")
    {
        var rootFull = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        var rootReal = Real(rootFull);
        if (Path.IsPathRooted(relative))
            throw new OrcException($"{what}: '{TerminalText.Line(relative)}' is an absolute path; only paths inside {rootFull} are allowed");
        var full = Path.GetFullPath(Path.Combine(rootFull, relative));
        if (!Inside(full, rootFull))
            throw new OrcException($"{what}: '{TerminalText.Line(relative)}' leaves {rootFull}; only paths inside it are allowed");
        // Every part that exists is looked at: a symlink may not lead out (nor to one that does).
        var current = rootFull;
        foreach (var part in Path.GetRelativePath(rootFull, full).Split(Path.DirectorySeparatorChar))
        {
            current = Path.Combine(current, part);
            var info = new FileInfo(current);
            if (info.LinkTarget is null) { if (!info.Exists && !Directory.Exists(current)) break; continue; }
            var target = info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(info.LinkTarget, Path.GetDirectoryName(current)!);
            if (!Inside(Real(target), rootReal))
                throw new OrcException($"{what}: '{TerminalText.Line(relative)}' goes through the symlink {Path.GetRelativePath(rootFull, current)}, which points outside {rootFull}; refused");
        }
        return full;
    }

    private static bool Inside(string path, string root) =>
        path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>True when <paramref name="path"/> is inside <paramref name="root"/> once every symlink on both is resolved.</summary>
    public static bool IsWithin(string path, string root) =>
        Inside(Real(path), Path.TrimEndingDirectorySeparator(Real(root)));

    /// <summary>True when both name the same place once every symlink on them is resolved.</summary>
    public static bool SamePath(string a, string b) =>
        Path.TrimEndingDirectorySeparator(Real(a)) == Path.TrimEndingDirectorySeparator(Real(b));

    /// <summary>The path with every symlink in it resolved, as far as it exists.</summary>
    public static string Real(string path)
    {
        var full = Path.GetFullPath(path);
        var parts = full.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        var current = Path.DirectorySeparatorChar.ToString();
        for (var i = 0; i < parts.Length; i++)
        {
            current = Path.Combine(current, parts[i]);
            var info = new FileInfo(current);
            if (info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } t)
                current = Real(t.FullName);
            else if (!info.Exists && !Directory.Exists(current))
                return Path.Combine([current, .. parts[(i + 1)..]]);
        }
        return current;
    }
}
