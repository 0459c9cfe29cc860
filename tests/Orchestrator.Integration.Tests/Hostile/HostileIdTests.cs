using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Orchestrator.Testing;
using static Orchestrator.Integration.Tests.Hostile.HostileRun;

namespace Orchestrator.Integration.Tests.Hostile;

/// <summary>Ids arriving in an import become file names, branch names and arguments: anything but a plain id is refused with FILE:LINE.</summary>
public sealed class HostileIdTests(RefusalWorkspace shared) : IClassFixture<RefusalWorkspace>
{
    public static TheoryData<string> HostileIds() => ["../../evil", "a/b", "a b", "-rf", "--help", "x\u001b[2J", "x:y", "%1", "=a", ".hidden", "a..b",
        new string('i', 101), "$(touch x)"];

    [Theory]
    [MemberData(nameof(HostileIds))]
    public void An_import_with_a_hostile_id_is_refused_with_file_and_line(string id)
    {
        var ws = shared.Ws;
        var (before, commits) = (ws.LedgerBytes(), ws.CommitCount());
        var file = Path.Combine(Path.GetTempPath(), $"orc-ids-{Guid.NewGuid():N}.jsonl");
        try
        {
            File.WriteAllText(file, HostileCorpus.ItemLine("hq-ok1", "fine") + "\n" + HostileCorpus.ItemLine(id, "evil") + "\n");
            AssertRefused(ws, before, commits, ws.Orc("import", file), Path.GetFileName(file) + ":2: id '");
        }
        finally { File.Delete(file); }
    }
}
