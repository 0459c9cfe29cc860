using Orchestrator.Core.Convoys;
using Orchestrator.Core.Events;
using Orchestrator.Core.Items;
using Orchestrator.Core.Mail;
using static Orchestrator.Core.Tests.TestLedger;

namespace Orchestrator.Core.Tests;

public sealed class MailRulesTests
{
    [Theory]
    [InlineData("overseer", AddressKind.Overseer, "overseer", null)]
    [InlineData("mayor", AddressKind.Mayor, "mayor", null)]
    [InlineData("nux", AddressKind.Agent, "nux", null)]
    [InlineData("refinery@app", AddressKind.Role, "refinery", "app")]
    [InlineData("witness@app", AddressKind.Role, "witness", "app")]
    [InlineData("all@app", AddressKind.Group, "all", "app")]
    [InlineData("@app", AddressKind.Group, "all", "app")]
    [InlineData("polecats@app", AddressKind.Group, "polecats", "app")]
    [InlineData(" crew@web ", AddressKind.Group, "crew", "web")]
    public void Addresses_parse(string text, AddressKind kind, string name, string? rig)
    {
        var a = MailRules.Parse(text);
        Assert.Equal((kind, name, rig), (a.Kind, a.Name, a.Rig));
    }

    [Theory]
    [InlineData("")]
    [InlineData("../etc")]
    [InlineData("Nux")]
    [InlineData("boss@app")]
    [InlineData("refinery@../x")]
    [InlineData("a b")]
    [InlineData("=app:0")]
    public void Bad_addresses_are_usage_errors_naming_them(string text)
    {
        var ex = Assert.Throws<OrcException>(() => MailRules.Parse(text));
        Assert.Equal(ExitCodes.Usage, ex.ExitCode);
        Assert.StartsWith("mail:", ex.Message);
    }

    [Fact]
    public void A_list_drops_repeats_and_boxes_name_roles()
    {
        var list = MailRules.ParseList("nux, overseer,nux,refinery@app");
        Assert.Equal(["nux", "overseer", "refinery@app"], list.Select(a => a.Kind == AddressKind.Group ? "" : MailRules.BoxOf(a)));
        Assert.True(MailRules.IsBox("refinery@app"));
        Assert.False(MailRules.IsBox("all@app"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("two\nlines")]
    [InlineData("esc \u001b]52;c;aGk=\u0007")]
    public void Bad_subjects_are_refused(string subject) =>
        Assert.Equal(ExitCodes.Usage, Assert.Throws<OrcException>(() => MailRules.Subject(subject)).ExitCode);

    [Fact]
    public void A_subject_over_the_limit_is_refused_and_replies_are_prefixed_once()
    {
        Assert.Throws<OrcException>(() => MailRules.Subject(new string('x', MailRules.MaxSubjectLength + 1)));
        Assert.Equal("Re: hi", MailRules.ReplySubject("hi"));
        Assert.Equal("Re: hi", MailRules.ReplySubject("Re: hi"));
        Assert.Equal(MailRules.MaxSubjectLength, MailRules.ReplySubject(new string('x', MailRules.MaxSubjectLength)).Length);
    }

    [Fact]
    public void Ids_are_m_and_six_base36_characters()
    {
        var r = new Random(1);
        var ids = Enumerable.Range(0, 1000).Select(_ => MailRules.NewId(r)).ToList();
        Assert.All(ids, id => Assert.True(MailRules.IsId(id), id));
        Assert.True(ids.Distinct().Count() > 990);
        Assert.False(MailRules.IsId("m-../../x"));
        Assert.False(MailRules.IsId("x-abcdef"));
    }
}

public sealed class ConvoyRulesTests
{
    private static Convoy C(params string[] items) => new() { Name = "c", Items = [.. items], CreatedAt = "2026-01-01T00:00:00Z" };

    [Fact]
    public void Unknown_repeated_and_epic_items_are_refused()
    {
        var doc = Doc(Item("x-a"), Item("x-b"), """{"id":"x-e","title":"epic","status":"open","priority":2,"issue_type":"epic"}""");
        Assert.Equal(ExitCodes.NotFound, Assert.Throws<OrcException>(() => ConvoyRules.CheckItems(["x-a", "x-zz"], doc)).ExitCode);
        Assert.Contains("x-a is named twice", Assert.Throws<OrcException>(() => ConvoyRules.CheckItems(["x-a", "x-a"], doc)).Message);
        Assert.Contains("x-a is named twice", Assert.Throws<OrcException>(() => ConvoyRules.CheckItems(["x-a"], doc, ["x-a"])).Message);
        Assert.Contains("epic", Assert.Throws<OrcException>(() => ConvoyRules.CheckItems(["x-e"], doc)).Message);
        Assert.Throws<OrcException>(() => ConvoyRules.CheckItems([], doc));
        Assert.Equal(["x-a", "x-b"], ConvoyRules.CheckItems(["x-a", "x-b"], doc));
    }

    [Fact]
    public void A_dependency_cycle_among_the_items_is_refused_with_the_cycle()
    {
        // A cycle a hand edit or a merge can leave in the ledger.
        var doc = Doc(Item("x-a", deps: Dep("x-b")), Item("x-b", deps: Dep("x-c")), Item("x-c", deps: Dep("x-a")), Item("x-d"));
        var ex = Assert.Throws<OrcException>(() => ConvoyRules.CheckItems(["x-d", "x-a", "x-b", "x-c"], doc));
        Assert.Contains("x-a → x-b → x-c → x-a", ex.Message);
        // Outside the convoy the cycle does not matter to it.
        Assert.Null(ConvoyRules.CycleAmong(["x-a", "x-b", "x-d"], doc));
    }

    [Fact]
    public void Progress_counts_done_in_flight_ready_and_blocked_per_rig()
    {
        var doc = Doc(
            Item("app-a", status: Statuses.Closed),
            Item("app-b", status: Statuses.Hooked),
            Item("web-c", status: Statuses.InProgress),
            Item("web-d"),
            Item("web-e", deps: Dep("web-d")),
            Item("app-f", status: Statuses.Deferred));
        var p = ConvoyRules.Progress(C("app-a", "app-b", "web-c", "web-d", "web-e", "app-f", "gone-1"), doc, i => i.Id.Split('-')[0]);
        Assert.Equal([ProgressStates.Done, ProgressStates.InFlight, ProgressStates.InFlight, ProgressStates.Ready, ProgressStates.Blocked,
            ProgressStates.Blocked, ProgressStates.Missing],
            p.Items.Select(i => i.State));
        Assert.Equal(["web-d"], p.Items.Single(i => i.Id == "web-e").BlockedBy);
        var app = p.Rigs.Single(r => r.Rig == "app");
        Assert.Equal((1, 1, 0, 1), (app.Done, app.InFlight, app.Ready, app.Blocked));
        var web = p.Rigs.Single(r => r.Rig == "web");
        Assert.Equal((0, 1, 1, 1), (web.Done, web.InFlight, web.Ready, web.Blocked));
        Assert.False(p.AllDone);
        Assert.True(ConvoyRules.Progress(C("app-a"), doc, _ => null).AllDone);
        Assert.Equal(20, ConvoyRules.Bar(p).Length);
    }
}

public sealed class ConvoyScoringTests
{
    private static OrcEvent E(string at, string kind, string item, string? tag = null) =>
        new() { At = at, Source = "t", Kind = kind, Subject = item, Text = "", Tag = tag };

    [Fact]
    public void Overlapping_work_is_counted_once_in_wall_time_and_rework_and_failures_are_counted()
    {
        var convoy = new Convoy { Name = "c", Items = ["x-a", "x-b"], CreatedAt = "2026-01-01T00:00:00Z" };
        var events = new[]
        {
            E("2026-01-01T10:00:00Z", EventKinds.Slung, "x-a"),
            E("2026-01-01T10:00:30Z", EventKinds.Slung, "x-b"),
            E("2026-01-01T10:01:00Z", EventKinds.Submitted, "x-a"),   // a worked 60s
            E("2026-01-01T10:01:30Z", EventKinds.Submitted, "x-b"),   // b worked 60s, 30s of it alongside a
            E("2026-01-01T10:02:00Z", EventKinds.Merged, "x-a"),      // a queued 60s
            E("2026-01-01T10:02:30Z", EventKinds.Rejected, "x-b", "conflict"), // b queued 60s, returned
            E("2026-01-01T10:03:30Z", EventKinds.Submitted, "x-b"),   // b reworked 60s
            E("2026-01-01T10:03:40Z", EventKinds.Rejected, "x-b", "gate"),
            E("2026-01-01T10:04:40Z", EventKinds.Submitted, "x-b"),
            E("2026-01-01T10:05:00Z", EventKinds.Merged, "x-b"),
            E("2026-01-01T10:05:00Z", EventKinds.Merged, "x-other"),  // not in the convoy
        };
        var r = ConvoyScoring.Score(convoy, events, ["x-a/x-b"], DateTimeOffset.Parse("2026-01-01T10:05:00Z"));
        Assert.Equal(300, r.ElapsedSeconds);
        Assert.Equal(60 + 60 + 60 + 60, r.AgentSeconds);
        Assert.Equal(90 + 60 + 60, r.AgentWallSeconds);
        Assert.Equal(60 + 60 + 10 + 20, r.QueueSeconds);
        Assert.Equal((1, 1, 1, 2), (r.ConflictsPredicted, r.ConflictsMet, r.GateFailures, r.Rework));
        Assert.Equal(["x-b"], r.MetItems);
        Assert.Contains(ConvoyScoring.Describe(r), l => l.Contains("1 predicted (x-a/x-b), 1 met (x-b)"));
    }

    [Fact]
    public void Review_wait_is_counted_per_item_from_the_hold_to_the_persons_answer()
    {
        var convoy = new Convoy { Name = "c", Items = ["x-a", "x-b", "x-c", "x-d"], CreatedAt = "2026-01-01T00:00:00Z" };
        var events = new[]
        {
            E("2026-01-01T10:00:00Z", EventKinds.Slung, "x-a"),
            E("2026-01-01T10:01:00Z", EventKinds.Submitted, "x-a"),
            E("2026-01-01T10:02:00Z", EventKinds.Review, "x-a"),      // held for a person
            E("2026-01-01T11:07:00Z", EventKinds.Approved, "x-a"),    // a waited 1h05m
            E("2026-01-01T11:07:30Z", EventKinds.Merged, "x-a"),
            E("2026-01-01T10:00:00Z", EventKinds.Slung, "x-b"),
            E("2026-01-01T10:01:00Z", EventKinds.Submitted, "x-b"),
            E("2026-01-01T10:02:00Z", EventKinds.Review, "x-b"),
            E("2026-01-01T10:32:00Z", EventKinds.Rejected, "x-b", "review"), // 30m, returned in review
            E("2026-01-01T10:40:00Z", EventKinds.Submitted, "x-b"),
            E("2026-01-01T10:41:00Z", EventKinds.Review, "x-b"),
            E("2026-01-01T10:51:00Z", EventKinds.Approved, "x-b"),    // 10m more: 40m over 2 reviews
            E("2026-01-01T10:52:00Z", EventKinds.Merged, "x-b"),
            E("2026-01-01T10:00:00Z", EventKinds.Slung, "x-c"),
            E("2026-01-01T10:01:00Z", EventKinds.Submitted, "x-c"),
            E("2026-01-01T10:01:30Z", EventKinds.Merged, "x-c"),      // landed by itself: no review
            E("2026-01-01T11:00:00Z", EventKinds.Review, "x-d"),      // still waiting at the report: 12m so far
        };
        var r = ConvoyScoring.Score(convoy, events, [], DateTimeOffset.Parse("2026-01-01T11:12:00Z"));
        Assert.Equal([("x-a", 3900.0, 1, false), ("x-b", 2400.0, 2, false), ("x-d", 720.0, 1, true)],
            r.ReviewWaits.Select(w => (w.Item, w.Seconds, w.Rounds, w.Waiting)));
        Assert.Equal(3900 + 2400 + 720, r.ReviewSeconds);
        var lines = ConvoyScoring.Describe(r);
        Assert.Contains("  review: 3 items, waited 1h57m in total, longest 1h05m (x-a)", lines);
        Assert.Contains("    x-b: 40m over 2 reviews", lines);
        Assert.Contains("    x-d: 12m, still waiting", lines);
        Assert.Contains("  the bottleneck was review (work waiting for a person), not the agents", lines);
        Assert.DoesNotContain(lines, l => l.Contains("bottleneck was the merge queue"));
    }

    [Fact]
    public void A_convoy_nothing_of_which_was_reviewed_has_no_review_line()
    {
        var convoy = new Convoy { Name = "c", Items = ["x-a"], CreatedAt = "2026-01-01T00:00:00Z" };
        var r = ConvoyScoring.Score(convoy, [E("2026-01-01T10:00:00Z", EventKinds.Slung, "x-a"), E("2026-01-01T10:01:00Z", EventKinds.Submitted, "x-a"),
            E("2026-01-01T10:02:00Z", EventKinds.Merged, "x-a")],
            [], DateTimeOffset.Parse("2026-01-01T10:02:00Z"));
        Assert.Empty(r.ReviewWaits);
        Assert.Equal(0, r.ReviewSeconds);
        Assert.DoesNotContain(ConvoyScoring.Describe(r), l => l.Contains("review:"));
    }

    [Fact]
    public void Union_of_intervals()
    {
        var t0 = DateTimeOffset.Parse("2026-01-01T00:00:00Z");
        Assert.Equal(0, ConvoyScoring.Union([]));
        Assert.Equal(30, ConvoyScoring.Union([(t0, t0.AddSeconds(10)), (t0.AddSeconds(5), t0.AddSeconds(20)), (t0.AddSeconds(40), t0.AddSeconds(50))]));
    }
}
