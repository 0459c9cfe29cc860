using Orchestrator.Core.Text;

namespace Orchestrator.Core.Tests.Text;

public sealed class LineDiffTests
{
    [Fact]
    public void A_changed_line_is_one_hunk_with_three_lines_of_context()
    {
        var before = string.Join("", Enumerable.Range(1, 10).Select(i => $"l{i}\n"));
        var after = before.Replace("l5\n", "five\n");
        var d = LineDiff.Unified(before, after);
        Assert.Equal((1, 1), (d.Added, d.Removed));
        Assert.Equal("@@ -2,7 +2,7 @@\n l2\n l3\n l4\n-l5\n+five\n l6\n l7\n l8\n", d.Hunks);
    }

    [Fact]
    public void A_new_file_is_all_added_and_a_deleted_one_all_removed()
    {
        Assert.Equal("@@ -0,0 +1,2 @@\n+a\n+b\n", LineDiff.Unified(null, "a\nb\n").Hunks);
        Assert.Equal("@@ -1,2 +0,0 @@\n-a\n-b\n", LineDiff.Unified("a\nb\n", "").Hunks);
        Assert.Equal("", LineDiff.Unified("same\n", "same\n").Hunks);
    }
}
