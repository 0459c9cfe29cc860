using Orchestrator.Core.Events;
using Orchestrator.Core.Merging;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests.Seams.Refinery;

/// <summary>
/// When what the refinery needs before landing keeps failing (the rig's checkout cannot follow
/// main, the gate's scratch worktree cannot be made), nothing lands, nothing is lost, the trouble
/// is reported once, and passes back off; once it works again the queue lands as usual.
/// </summary>
[Trait(OrcProcess.Level, OrcProcess.UnitLevel)]
public sealed class SetupFailureTests
{
    [Theory]
    [InlineData(1, false)]
    [InlineData(3, false)]
    [InlineData(1, true)]
    [InlineData(3, true)]
    public void Failing_setup_backs_off_keeps_the_queue_and_lands_once_it_works(int batch, bool scratch)
    {
        using var h = new RefineryHarness(batch);
        h.Submit(RefineryHarness.Numbered(3));
        if (scratch) h.Git.ScratchFails = "a file is in the way";
        else h.Git.Blocker = "rigs/app has main checked out with uncommitted or untracked changes (stray.txt)";

        var tried = new List<int>();
        for (var pass = 1; pass <= 12; pass++)
            if (h.Pass().Any(o => o.Result == "waiting")) tried.Add(pass);

        // Tried on passes 1, 3, 6 and 11: after the n-th failure in a row 2^(n-1) passes are skipped (the clock stands still).
        Assert.Equal([1, 3, 6, 11], tried);
        Assert.Equal(["S1", "S2", "S3"], h.InState(SubmissionStates.Queued));
        Assert.Empty(h.Git.Moves);
        Assert.Empty(h.Gate.Runs);
        Assert.Single(h.Events(EventKinds.Error));
        Assert.Contains("4 failed attempts", h.Refinery.BackingOff("app"));

        h.Git.ScratchFails = null;
        h.Git.Blocker = null;
        for (var pass = 0; pass < 20 && h.InState(SubmissionStates.Merged).Count < 3; pass++) h.Pass();

        Assert.Equal(["S1", "S2", "S3"], h.MainNames());
        Assert.Contains("after 4 failed attempts", Assert.Single(h.Events(EventKinds.Recovered)).Text);
        Assert.Null(h.Refinery.BackingOff("app"));
        Assert.Single(h.Events(EventKinds.Error));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void A_checkout_that_becomes_dirty_during_the_gate_lands_nothing_and_loses_nothing(int batch)
    {
        using var h = new RefineryHarness(batch);
        h.Submit(RefineryHarness.Numbered(3));
        // Dirty once the gate has run: main cannot move, the stack is queued again.
        h.GateBy(_ =>
        {
            h.Git.Blocker = "rigs/app has main checked out with uncommitted or untracked changes (stray.txt)";
            return true;
        });

        h.Pass();

        Assert.Empty(h.Git.Moves);
        Assert.Equal(["S1", "S2", "S3"], h.InState(SubmissionStates.Queued));
        Assert.Equal(1, h.Queued("S1").Attempts); // the attempt is recorded
        Assert.Null(h.Queued("S1").Candidate);
    }
}
