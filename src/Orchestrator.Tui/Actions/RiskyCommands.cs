namespace Orchestrator.Tui.Actions;

/// <summary>
/// The command palette's verbs that stop or remove things. Typed after <c>:</c> they ask first,
/// as their keys do (<c>K</c>, <c>x</c>): what each does is said in the question.
/// </summary>
internal static class RiskyCommands
{
    private static readonly (string[] Verb, string Does)[] Table =
    [
        (["down"], "stops this workspace's tmux server: every agent and service (hooks and worktrees stay)"),
        (["kill"], "stops the agent (its worktree and hook stay, for 'orc resume')"),
        (["unsling"], "stops the agent, puts its item back to ready and ends its hook"),
        (["cleanup"], "removes the worktrees of completed hooks"),
        (["rig", "remove"], "removes the rig: its hooks are archived, its worktrees and its folder go"),
        (["mq", "reject"], "takes the submission out of the merge queue and returns the work"),
        (["dispatch", "cancel"], "takes the item out of the dispatch queue"),
        (["crew", "stop"], "stops the crew member's agent"),
        (["crew", "release"], "takes the crew member's item off it, back to ready"),
        (["crew", "remove"], "removes the crew member and its worktree"),
        (["mayor", "stop"], "stops the mayor"),
        (["mayor", "restart"], "stops the mayor and starts a new conversation"),
        (["convoy", "close"], "closes the convoy (abandons it)"),
        (["convoy", "remove"], "takes the items out of the convoy"),
        (["item", "close"], "closes the items"),
        (["mol", "close"], "closes the molecule's steps"),
        (["mol", "burn"], "burns the molecule (a wisp is deleted without a trace)"),
        (["mol", "squash"], "collapses the molecule into one closed summary"),
        (["learn", "remove"], "forgets the learnings"),
    ];

    /// <summary>The verbs that ask, as typed after <c>:</c> (for the help and the docs).</summary>
    public static IEnumerable<string> Verbs => Table.Select(t => string.Join(' ', t.Verb));

    /// <summary>
    /// What the command would stop or remove, for the question, or null when it asks nothing
    /// (any other verb, or <c>--help</c>). Options before a subverb are skipped when matching.
    /// </summary>
    public static string? Does(IReadOnlyList<string> args)
    {
        if (args.Any(a => a is "-h" or "--help" or "-?")) return null;
        var words = args.Where(a => !a.StartsWith('-')).ToList();
        foreach (var (verb, does) in Table)
        {
            if (words.Count < verb.Length || !verb.SequenceEqual(words.Take(verb.Length))) continue;
            if (verb is ["unsling"] && args.Contains("--remove-worktree"))
                return does + ", and removes its worktree" + (args.Contains("--force") ? " even with uncommitted changes (they are lost)" : "");
            if (verb is ["down"] && args.Contains("--force")) return does + "; --force kills the server's process";
            return does;
        }
        return null;
    }
}
