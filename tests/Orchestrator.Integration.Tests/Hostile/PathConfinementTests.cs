using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Orchestrator.Testing;
using static Orchestrator.Integration.Tests.Hostile.HostileRun;

namespace Orchestrator.Integration.Tests.Hostile;

/// <summary>Paths from items and formulas stay inside their worktree: .., absolute paths and symlinks out are refused.</summary>
public sealed class PathConfinementTests(RefusalWorkspace shared) : IClassFixture<RefusalWorkspace>
{
    public static TheoryData<string, string> BadFiles() => new()
    {
        { "../outside.txt", "leaves the rig's repository" },
        { "src/../../outside.txt", "leaves the rig's repository" },
        { "/etc/passwd", "is an absolute path" },
        { "~/x", "is an absolute path" },
        { ".git/config", "is inside .git" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void A_file_an_item_owns_must_stay_inside_the_repository(string file, string expected)
    {
        var ws = shared.Ws;
        var id = shared.Item;
        var (before, commits) = (ws.LedgerBytes(), ws.CommitCount());
        AssertRefused(ws, before, commits, ws.Orc("item", "create", "x", "--file", file), "file: '");
        AssertRefused(ws, before, commits, ws.Orc("item", "update", id, "--file", file), expected);
    }

    [Fact]
    public void A_path_through_a_symlink_that_leads_outside_the_worktree_is_refused()
    {
        var root = Directory.CreateTempSubdirectory("orc-confine-").FullName;
        var outside = Directory.CreateTempSubdirectory("orc-outside-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "src"));
            File.CreateSymbolicLink(Path.Combine(root, "src", "out"), outside);
            File.CreateSymbolicLink(Path.Combine(root, "passwd"), "/etc/passwd");
            Directory.CreateSymbolicLink(Path.Combine(root, "inner"), Path.Combine(root, "src"));
            var e = Assert.Throws<Orchestrator.Core.OrcException>(() => Orchestrator.Adapters.Storage.ConfinedPath.Resolve(root, "src/out/x.txt"));
            Assert.Contains("goes through the symlink src/out, which points outside", e.Message);
            Assert.Throws<Orchestrator.Core.OrcException>(() => Orchestrator.Adapters.Storage.ConfinedPath.Resolve(root, "passwd"));
            Assert.Contains("is an absolute path", Assert.Throws<Orchestrator.Core.OrcException>(() => Orchestrator.Adapters.Storage.ConfinedPath.Resolve(root,
                "/etc/passwd")).Message);
            Assert.Contains("leaves", Assert.Throws<Orchestrator.Core.OrcException>(() => Orchestrator.Adapters.Storage.ConfinedPath.Resolve(root,
                "a/../../x")).Message);
            // Inside, and through a symlink that stays inside: fine.
            Assert.Equal(Path.Combine(root, "src", "new", "f.txt"), Orchestrator.Adapters.Storage.ConfinedPath.Resolve(root, "src/new/f.txt"));
            Assert.Equal(Path.Combine(root, "inner", "f.txt"), Orchestrator.Adapters.Storage.ConfinedPath.Resolve(root, "inner/f.txt"));
            Assert.Empty(Directory.GetFileSystemEntries(outside));
        }
        finally
        {
            Directory.Delete(root, true);
            Directory.Delete(outside, true);
        }
    }

    [Fact]
    public void A_formula_that_extends_a_path_is_refused_with_file_and_line()
    {
        var ws = shared.Ws;
        var dir = Directory.CreateTempSubdirectory("orc-formula-").FullName;
        var file = Path.Combine(dir, "sneaky.formula.toml");
        File.WriteAllText(file, "extends = \"../../../etc/passwd\"\n\n[[steps]]\nid = \"a\"\ntitle = \"A\"\n");
        CliResult r;
        try { r = ws.Orc("formula", "check", file); }
        finally { Directory.Delete(dir, true); }
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("sneaky.formula.toml:1:", r.Err);
        Assert.Contains("is not a formula here", r.Err);
        HostileCorpus.AssertSafe(r.Err, "the error");
    }
}
