using System.Text;
using Orchestrator.Core.Ledger;

namespace Orchestrator.Core.Tests;

public class LedgerConflictTests
{
    private static string L(string id, string status, string title, string updated) =>
        $$"""{"id":"{{id}}","title":"{{title}}","status":"{{status}}","priority":2,"issue_type":"task","created_at":"2026-01-01T00:00:00Z","updated_at":"{{updated}}"}""";

    private static readonly string Base = L("hq-1", "open", "first", "2026-01-01T00:00:00Z");
    private static readonly string Closed = L("hq-1", "closed", "first", "2026-01-02T00:00:00Z");
    private static readonly string Retitled = L("hq-1", "open", "renamed", "2026-01-03T00:00:00Z");
    private static readonly string Other = L("hq-2", "open", "other", "2026-01-01T00:00:00Z");

    private static LedgerConflict.Sides? Split(string text) => LedgerConflict.Split(Encoding.UTF8.GetBytes(text));

    [Fact]
    public void Blocks_split_into_the_two_sides_with_the_lines_outside_in_both()
    {
        var s = Split($"{Other}\n<<<<<<< HEAD\n{Closed}\n=======\n{Retitled}\n>>>>>>> theirs\n")!;
        Assert.Equal(1, s.Blocks);
        Assert.Null(s.Base);
        Assert.Equal($"{Other}\n{Closed}\n", Encoding.UTF8.GetString(s.Ours));
        Assert.Equal($"{Other}\n{Retitled}\n", Encoding.UTF8.GetString(s.Theirs));
    }

    [Fact]
    public void Against_the_base_a_close_on_one_side_survives_a_later_edit_on_the_other()
    {
        var s = Split($"<<<<<<< HEAD\n{Closed}\n=======\n{Retitled}\n>>>>>>> theirs\n{Other}\n")!;
        var merged = LedgerConflict.Resolve(s, Encoding.UTF8.GetBytes($"{Base}\n{Other}\n"));
        var item = merged.Get("hq-1");
        Assert.Equal(("closed", "renamed"), (item.Status, item.Title));
        Assert.Equal((1, true), (merged.ResolvedConflicts, merged.ResolvedWithBase));
        Assert.Empty(merged.Errors);
        Assert.Equal(2, merged.Count);

        // Without a base the later edit wins every field it holds, the status with it: why the base is fetched.
        var blind = LedgerConflict.Resolve(s, null);
        Assert.Equal(("open", false), (blind.Get("hq-1").Status, blind.ResolvedWithBase));
    }

    [Fact]
    public void A_diff3_block_carries_its_own_base()
    {
        var s = Split($"<<<<<<< ours\n{Closed}\n||||||| base\n{Base}\n=======\n{Retitled}\n>>>>>>> theirs\n")!;
        Assert.NotNull(s.Base);
        var item = LedgerConflict.Resolve(s, null).Get("hq-1");
        Assert.Equal(("closed", "renamed"), (item.Status, item.Title));
    }

    [Theory]
    [InlineData("no markers at all\n")]
    [InlineData("<<<<<<< HEAD\n{}\n=======\n{}\n")] // never closed
    [InlineData("<<<<<<< HEAD\n{}\n>>>>>>> x\n")] // no middle
    [InlineData("=======\n<<<<<<< HEAD\n{}\n=======\n{}\n>>>>>>> x\n")] // a middle out of place
    [InlineData("<<<<<<<< eight\n{}\n=======\n{}\n>>>>>>> x\n")] // not seven
    public void Markers_that_do_not_form_complete_blocks_are_left_as_bad_lines(string text) => Assert.Null(Split(text));

    [Fact]
    public void A_bad_line_outside_the_blocks_is_reported_once()
    {
        var s = Split($"not json\n<<<<<<< HEAD\n{Closed}\n=======\n{Retitled}\n>>>>>>> theirs\n")!;
        Assert.Single(LedgerConflict.Resolve(s, null).Errors);
    }
}
