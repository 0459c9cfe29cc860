using System.Text.RegularExpressions;
using Orchestrator.Core.Ledger;

namespace Orchestrator.Core.Tests;

public partial class IdGeneratorTests
{
    [GeneratedRegex("^hq-[0-9a-z]{4}$")]
    private static partial Regex FourCharId();

    [Fact]
    public void A_new_id_is_the_prefix_a_dash_and_a_base36_hash()
    {
        for (var i = 0; i < 50; i++)
        {
            var id = IdGenerator.NewId("hq", $"seed {i}", 1, _ => false);
            Assert.Matches(FourCharId(), id);
        }
    }

    [Fact]
    public void The_same_seed_gives_different_ids_on_different_calls()
    {
        var ids = Enumerable.Range(0, 20).Select(_ => IdGenerator.NewId("hq", "same", 1, _ => false)).ToHashSet();

        Assert.True(ids.Count > 1);
    }

    [Theory]
    [InlineData(0, 4)]
    [InlineData(1, 4)]
    [InlineData(100, 4)]
    [InlineData(183, 4)]
    [InlineData(184, 5)]
    [InlineData(1_000, 5)]
    [InlineData(10_000, 7)]
    [InlineData(100_000, 8)]
    public void The_hash_length_grows_with_the_number_of_items(int count, int expected)
    {
        Assert.Equal(expected, IdGenerator.HashLength(count));
    }

    [Fact]
    public void The_hash_length_never_shrinks_as_the_count_grows_and_is_capped()
    {
        var previous = 0;
        foreach (var n in new[] { 1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, int.MaxValue })
        {
            var len = IdGenerator.HashLength(n);
            Assert.InRange(len, Math.Max(previous, 4), 12);
            previous = len;
        }
        Assert.True(IdGenerator.HashLength(10_000) > 4);
        Assert.True(IdGenerator.HashLength(100_000) > IdGenerator.HashLength(10_000));
    }

    [Fact]
    public void A_new_id_for_a_large_ledger_has_a_longer_hash()
    {
        var id = IdGenerator.NewId("gt", "seed", 100_000, _ => false);

        Assert.Matches("^gt-[0-9a-z]{8}$", id);
    }

    [Fact]
    public void A_new_id_avoids_existing_ids()
    {
        var rejected = new List<string>();
        var id = IdGenerator.NewId("hq", "seed", 1, candidate =>
        {
            if (rejected.Count >= 5) return false;
            rejected.Add(candidate);
            return true;
        });

        Assert.Equal(5, rejected.Count);
        Assert.DoesNotContain(id, rejected);
        Assert.StartsWith("hq-", id);
    }

    [Fact]
    public void When_every_candidate_is_taken_NewId_gives_up_with_an_error()
    {
        var ex = Assert.Throws<OrcException>(() => IdGenerator.NewId("hq", "seed", 1, _ => true));

        Assert.Contains("unused id", ex.Message);
    }

    [Fact]
    public void Ids_get_longer_after_many_collisions()
    {
        var calls = 0;
        var id = IdGenerator.NewId("hq", "seed", 1, _ => ++calls <= 100);

        Assert.Matches("^hq-[0-9a-z]{5}$", id);
    }

    [Fact]
    public void The_first_child_of_an_item_is_number_one()
    {
        Assert.Equal("hq-ab12.1", IdGenerator.NextChildId("hq-ab12", ["hq-ab12", "hq-other"]));
    }

    [Fact]
    public void The_next_child_is_one_past_the_highest_existing_child_including_gaps()
    {
        string[] ids = ["hq-ab12", "hq-ab12.1", "hq-ab12.3", "hq-ab12.10", "hq-ab12.4"];

        Assert.Equal("hq-ab12.11", IdGenerator.NextChildId("hq-ab12", ids));
    }

    [Fact]
    public void Grandchildren_count_for_their_child_number_and_lookalike_ids_are_ignored()
    {
        string[] ids = ["hq-ab12", "hq-ab12.2.7", "hq-ab123.9", "hq-ab12x.5", "hq-ab12.notes", "gt-ab12.8"];

        Assert.Equal("hq-ab12.3", IdGenerator.NextChildId("hq-ab12", ids));
    }

    [Fact]
    public void The_next_child_of_a_child_extends_its_id()
    {
        Assert.Equal("hq-ab12.2.2", IdGenerator.NextChildId("hq-ab12.2", ["hq-ab12.2", "hq-ab12.2.1", "hq-ab12.20.5"]));
    }

    [Theory]
    [InlineData("hq", true)]
    [InlineData("h", true)]
    [InlineData("bd2", true)]
    [InlineData("abcdefghijklmnop", true)]
    [InlineData("abcdefghijklmnopq", false)]
    [InlineData("", false)]
    [InlineData("2hq", false)]
    [InlineData("Hq", false)]
    [InlineData("h-q", false)]
    [InlineData("h_q", false)]
    [InlineData("h q", false)]
    [InlineData("hé", false)]
    public void Only_lowercase_letters_and_digits_with_a_letter_first_make_a_prefix(string prefix, bool valid)
    {
        Assert.Equal(valid, IdGenerator.IsValidPrefix(prefix));
    }
}
