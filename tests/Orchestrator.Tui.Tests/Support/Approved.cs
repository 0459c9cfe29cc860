using System.Runtime.CompilerServices;

namespace Orchestrator.Tui.Tests.Support;

/// <summary>
/// Approved-file snapshots (Verify does not restore here): the text is compared with
/// <c>Snapshots/NAME.approved.txt</c> beside the tests. A missing file is recorded on first run
/// (and fails under <c>CI=true</c>); <c>UPDATE_SNAPSHOTS=1</c> rewrites it; a mismatch writes
/// <c>NAME.received.txt</c> and fails with the first different line.
/// </summary>
public static class Approved
{
    public static void Match(string name, string actual, [CallerFilePath] string caller = "")
    {
        var dir = Path.Combine(FindProjectDir(caller), "Snapshots");
        Directory.CreateDirectory(dir);
        var approved = Path.Combine(dir, name + ".approved.txt");
        var received = Path.Combine(dir, name + ".received.txt");
        actual = Normalize(actual);
        if (Environment.GetEnvironmentVariable("UPDATE_SNAPSHOTS") == "1" || (!File.Exists(approved) && Environment.GetEnvironmentVariable("CI") != "true"))
        {
            File.WriteAllText(approved, actual);
            if (File.Exists(received)) File.Delete(received);
            return;
        }
        if (!File.Exists(approved))
        {
            File.WriteAllText(received, actual);
            Assert.Fail($"no approved snapshot {approved} (CI=true): run the tests once without CI to record it, check it, and commit it");
        }
        var expected = Normalize(File.ReadAllText(approved));
        if (expected == actual) { if (File.Exists(received)) File.Delete(received); return; }
        File.WriteAllText(received, actual);
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        var line = Enumerable.Range(0, Math.Max(e.Length, a.Length)).First(i => i >= e.Length || i >= a.Length || e[i] != a[i]);
        Assert.Fail($"snapshot {name} differs at line {line + 1}:\n  approved: {(line < e.Length ? e[line] : "(end)")}\n  received: {(line < a.Length ? a[line] : "(end)")}\n(see {received}; UPDATE_SNAPSHOTS=1 accepts it)");
    }

    private static string Normalize(string text) => string.Join('\n', text.Replace("\r", "").Split('\n').Select(l => l.TrimEnd())).TrimEnd('\n') + "\n";

    private static string FindProjectDir(string caller)
    {
        // The source folder when the tests run where they were built; else beside the binaries.
        for (var d = Path.GetDirectoryName(caller); d is not null; d = Path.GetDirectoryName(d))
            if (File.Exists(Path.Combine(d, "Orchestrator.Tui.Tests.csproj"))) return d;
        return AppContext.BaseDirectory;
    }
}
