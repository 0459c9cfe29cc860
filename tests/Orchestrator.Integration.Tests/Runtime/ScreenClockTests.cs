using Orchestrator.Services.Runtime;

namespace Orchestrator.Integration.Tests.Runtime;

/// <summary>The shared "how long has this screen not changed" clock, on a real folder, with several lookers at once.</summary>
public sealed class ScreenClockTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("orc-screens-");
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    public void Dispose() => _dir.Delete(true);

    [Fact]
    public void A_screen_first_seen_dates_from_tmux_activity_and_a_change_restarts_the_count()
    {
        var clock = new ScreenClock(_dir.FullName);
        // First sight: the window's last activity, 100 s ago, is the best guess.
        Assert.Equal(TimeSpan.FromSeconds(100), clock.UnchangedFor("nux", "A", T0, T0.ToUnixTimeSeconds() - 100));
        // The same screen later: counted from then, whatever tmux says now (a spinner is activity).
        Assert.Equal(TimeSpan.FromSeconds(130), clock.UnchangedFor("nux", "A", T0.AddSeconds(30), T0.ToUnixTimeSeconds() + 29));
        // Another process (a second ScreenClock) reads the same count.
        Assert.Equal(TimeSpan.FromSeconds(160), new ScreenClock(_dir.FullName).UnchangedFor("nux", "A", T0.AddSeconds(60), 0));
        // A change: counted from now.
        Assert.Equal(TimeSpan.Zero, clock.UnchangedFor("nux", "B", T0.AddSeconds(70), T0.ToUnixTimeSeconds() - 500));
        Assert.Equal(TimeSpan.FromSeconds(5), clock.UnchangedFor("nux", "B", T0.AddSeconds(75), 0));
        // Agents are counted apart.
        Assert.Equal(TimeSpan.Zero, clock.UnchangedFor("ace", "B", T0.AddSeconds(75), 0));
        Assert.Equal(TimeSpan.FromSeconds(10), clock.UnchangedFor("nux", "B", T0.AddSeconds(80), 0));
    }

    [Fact]
    public void A_torn_or_foreign_record_counts_as_never_seen()
    {
        var clock = new ScreenClock(_dir.FullName);
        Directory.CreateDirectory(Path.Combine(_dir.FullName, "screens"));
        File.WriteAllText(Path.Combine(_dir.FullName, "screens", "nux"), "0123abcd");
        Assert.Equal(TimeSpan.Zero, clock.UnchangedFor("nux", "A", T0, 0));
        Assert.Equal(TimeSpan.FromSeconds(9), clock.UnchangedFor("nux", "A", T0.AddSeconds(9), 0));
    }

    [Fact]
    public void Many_lookers_at_once_leave_one_whole_record()
    {
        var clocks = Enumerable.Range(0, 8).Select(_ => new ScreenClock(_dir.FullName)).ToArray();
        Parallel.For(0, 400, i => clocks[i % 8].UnchangedFor("nux", i % 2 == 0 ? "A" : "B", T0.AddSeconds(i / 10), 0));
        // Whatever order they ran in, the record is whole and the next look reads it (or starts again at a change).
        var last = clocks[0].UnchangedFor("nux", "A", T0.AddSeconds(100), 0);
        Assert.InRange(last, TimeSpan.Zero, TimeSpan.FromSeconds(100));
        Assert.Equal(last + TimeSpan.FromSeconds(1), clocks[1].UnchangedFor("nux", "A", T0.AddSeconds(101), 0));
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir.FullName, "screens"), "*.tmp"));
    }
}
