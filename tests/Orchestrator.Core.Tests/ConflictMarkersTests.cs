using Orchestrator.Core.Merging;

namespace Orchestrator.Core.Tests;

public sealed class ConflictMarkersTests
{
    private const string Conflict = "<<<<<<< HEAD\nours\n=======\ntheirs\n>>>>>>> branch\n";

    [Fact]
    public void A_new_file_with_a_whole_conflict_block_adds_markers() =>
        Assert.True(ConflictMarkers.Added(null, "intro\n" + Conflict));

    [Fact]
    public void A_file_that_gains_a_block_adds_markers_even_with_crlf_line_ends() =>
        Assert.True(ConflictMarkers.Added("intro\r\n", "intro\r\n" + Conflict.Replace("\n", "\r\n")));

    [Fact]
    public void Markers_the_old_version_already_had_are_not_new()
    {
        var doc = "A conflict looks like this:\n" + Conflict;
        Assert.False(ConflictMarkers.Added(doc, doc + "more text\n"));
    }

    [Fact]
    public void A_second_copy_of_a_block_that_was_there_is_new() =>
        Assert.True(ConflictMarkers.Added(Conflict, Conflict + Conflict));

    [Fact]
    public void Only_an_opening_or_only_a_separator_is_not_a_conflict()
    {
        Assert.False(ConflictMarkers.Added(null, "<<<<<<< HEAD\nours\n=======\n"));
        Assert.False(ConflictMarkers.Added(null, "title\n=======\n"));
        Assert.False(ConflictMarkers.Added(null, "x <<<<<<< y\nz >>>>>>> w\n")); // not at a line start
    }
}
