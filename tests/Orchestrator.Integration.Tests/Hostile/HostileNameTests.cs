using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Orchestrator.Testing;
using static Orchestrator.Integration.Tests.Hostile.HostileRun;

namespace Orchestrator.Integration.Tests.Hostile;

/// <summary>Rig and crew names that look like paths, options, quotes or tmux targets are refused with one line.</summary>
public sealed class HostileNameTests(RefusalWorkspace shared) : IClassFixture<RefusalWorkspace>
{
    public static TheoryData<string> BadNames()
    {
        var data = new TheoryData<string>();
        foreach (var n in HostileCorpus.BadNames) data.Add(n);
        return data;
    }

    [Theory]
    [MemberData(nameof(BadNames))]
    public void A_hostile_rig_or_crew_name_is_refused_with_a_one_line_error(string name)
    {
        var ws = shared.Ws;
        var (before, commits) = (ws.LedgerBytes(), ws.CommitCount());
        var source = Directory.CreateTempSubdirectory("orc-names-src-").FullName;
        using var cleanup = new Deleter(source);
        LibGit2Sharp.Repository.Init(source);
        // A name with a leading dash comes after '--', or the parser reads it as an option (also refused).
        foreach (var args in new[] { new[] { "rig", "add", "--", name, source }, ["crew", "add", "--rig", "app", "--", name], ["rig", "add", name, source] })
        {
            var r = ws.Orc(args);
            if (name == "--help" && !args.Contains("--")) { Assert.Contains("Usage:", r.Out); continue; } // asks for help, and gets it
            Assert.True(r.ExitCode != 0, string.Join(' ', args) + ": " + r);
            if (name.StartsWith('-') && !args.Contains("--")) continue; // the parser's own error: an option it does not know
            Assert.Single(r.Err.TrimEnd('\n').Split('\n'));
            HostileCorpus.AssertSafe(r.Err, "the error");
        }
        Assert.Equal(before, ws.LedgerBytes());
        Assert.Equal(commits, ws.CommitCount());
        Assert.False(Directory.Exists(Path.Combine(ws.Root, "rigs")) && Directory.EnumerateFileSystemEntries(Path.Combine(ws.Root, "rigs")).Any(),
            "no rig was made");
        Assert.False(Directory.Exists(Path.Combine(ws.Root, "evil")) || Directory.Exists(Path.Combine(Path.GetDirectoryName(ws.Root)!, "evil")));
    }

    private sealed class Deleter(string path) : IDisposable
    {
        public void Dispose()
        {
            try { Directory.Delete(path, true); } catch (IOException) { }
        }
    }
}
