using Orchestrator.Core.Items;
using Orchestrator.Core.Ledger;
using Orchestrator.Core.Text;

namespace Orchestrator.Core.Tests;

/// <summary>Bugs found while reviewing the core; each stays fixed.</summary>
public class RegressionTests
{
    [Theory]
    [InlineData("+3000000d")]
    [InlineData("+999999999w")]
    public void A_relative_time_out_of_range_is_a_field_error(string s) =>
        Assert.StartsWith("defer-until: ", Assert.Throws<OrcException>(() => WorkItemRules.When(s, TestLedger.Now, "defer-until")).Message);

    [Theory]
    [InlineData('\u202a')]
    [InlineData('\u202b')]
    [InlineData('\u202c')]
    [InlineData('\u200f')]
    public void Every_bidi_control_is_escaped(char c) =>
        Assert.DoesNotContain(c, TerminalText.Line("a" + c + "b"));

    [Fact]
    public void More_than_500_owned_files_are_refused()
    {
        var doc = new LedgerDocument();
        var ops = new ItemOperations(doc, TestLedger.Now, "t", "hq");
        var e = Assert.Throws<OrcException>(() => ops.Create(new CreateItemRequest { Title = "x", Files = Enumerable.Range(0,
            501).Select(i => $"f{i}").ToList() }));
        Assert.StartsWith("file: ", e.Message);
        Assert.Equal(0, doc.Count);
    }

    [Fact]
    public void Reimporting_an_identical_Beads_line_counts_it_unchanged()
    {
        const string line = "{\"id\":\"bd-1\",\"title\":\"t\",\"description\":\"\",\"status\":\"open\",\"priority\":2,\"issue_type\":\"task\",\"created_at\":\"2026-01-01T00:00:00Z\",\"updated_at\":\"2026-01-01T00:00:00Z\"}";
        var doc = TestLedger.Doc(line);
        var ops = new ItemOperations(doc, TestLedger.Now, "t", "hq");
        var summary = ops.Import(TestLedger.Doc(line));
        Assert.Equal(new ImportSummary(0, 0, 1), summary);
        Assert.Equal(line + "\n", TestLedger.Write(doc));
    }

    [Fact]
    public void A_tombstone_can_be_neither_closed_nor_reopened()
    {
        var doc = TestLedger.Doc("{\"id\":\"bd-1\",\"title\":\"gone\",\"status\":\"tombstone\"}");
        var ops = new ItemOperations(doc, TestLedger.Now, "t", "hq");
        Assert.Throws<OrcException>(() => ops.Close("bd-1", null));
        Assert.Throws<OrcException>(() => ops.Reopen("bd-1"));
        Assert.Equal("tombstone", doc.Get("bd-1").Status);
    }

    [Fact]
    public void Setting_closed_on_a_closed_item_keeps_its_close_time_and_reason()
    {
        var doc = TestLedger.Doc("{\"id\":\"bd-1\",\"title\":\"x\",\"status\":\"closed\",\"closed_at\":\"2026-01-02T00:00:00Z\",\"close_reason\":\"done\"}");
        var ops = new ItemOperations(doc, TestLedger.Now, "t", "hq");
        ops.Update("bd-1", new UpdateItemRequest { Status = "closed", Notes = "n" });
        Assert.Equal("2026-01-02T00:00:00Z", doc.Get("bd-1").ClosedAt);
        Assert.Equal("done", doc.Get("bd-1").CloseReason);
    }

    [Fact]
    public void Line_errors_do_not_repeat_the_parser_position()
    {
        var doc = TestLedger.Doc("{\"id\":");
        Assert.DoesNotContain("LineNumber", Assert.Single(doc.Errors).Message);
    }
}
