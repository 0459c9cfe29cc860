using Orchestrator.Core.Agents;
using Orchestrator.Core.Items;
using Orchestrator.Core.Text;

namespace Orchestrator.Core.Knowledge;

/// <summary>
/// A short lesson worth passing to later agents ("the gate of app needs `make gen` first"). For the
/// whole workspace, or for one rig and/or one role. Kept in the workspace's
/// <c>learnings/learnings.jsonl</c>, one per line, sorted by id.
/// </summary>
public sealed record Learning
{
    public required string Id { get; init; }
    public required string Text { get; init; }
    /// <summary>The rig it is about; null for the whole workspace.</summary>
    public string? Rig { get; init; }
    /// <summary>The role it is for (polecat, crew, mayor…); null for every role.</summary>
    public string? Role { get; init; }
    public List<string> Tags { get; init; } = [];
    public required string CreatedAt { get; init; }
    public string? CreatedBy { get; init; }
    /// <summary>Where it came from when orc made it (<c>convoy:NAME</c>).</summary>
    public string? Source { get; init; }
    /// <summary>The work item it was learnt on, if any.</summary>
    public string? Item { get; init; }

    /// <summary>"workspace", "rig app", "rig app, polecat", "mayor".</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Scope =>
        Rig is null && Role is null ? "workspace"
        : string.Join(", ", new[] { Rig is null ? null : "rig " + Rig, Role }.Where(s => s is not null));
}

/// <summary>What a well-formed learning looks like; each check throws one clear <see cref="OrcException"/>.</summary>
public static class LearningRules
{
    /// <summary>Learnings are short: they go into every relevant agent's prime.</summary>
    public const int MaxTextLength = 400;
    public const int MaxTags = 10;
    public const int DefaultBudget = 2000;
    public const int MaxBudget = 100_000;

    private const string Alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";

    /// <summary>Roles a learning may be for.</summary>
    public static readonly IReadOnlyList<string> KnownRoles = [Roles.Polecat, Roles.Crew, Roles.Mayor, Roles.Refinery, Roles.Witness, Roles.Deacon];

    /// <summary>The text, trimmed: one line of 1 to 400 characters, no control characters.</summary>
    public static string Text(string? text, string field = "TEXT")
    {
        var t = (text ?? "").Trim();
        if (t.Length == 0) throw new OrcException($"{field}: the learning is empty", ExitCodes.Usage);
        if (t.Length > MaxTextLength)
            throw new OrcException($"{field}: is {t.Length:N0} characters long; a learning is at most {MaxTextLength} (keep it to one short lesson; agents read every relevant one)", ExitCodes.Usage);
        if (t.Contains('\n') || t.Contains('\r'))
            throw new OrcException($"{field}: a learning is one line (no line breaks)", ExitCodes.Usage);
        try { WorkItemRules.Title(t, field); }
        catch (OrcException ex) { throw new OrcException(ex.Message, ExitCodes.Usage); }
        return t;
    }

    public static string? Role(string? role)
    {
        if (role is null) return null;
        var r = role.Trim().ToLowerInvariant();
        if (!KnownRoles.Contains(r))
            throw new OrcException($"--role: '{TerminalText.Line(role)}' is not a role (one of {string.Join(", ", KnownRoles)})", ExitCodes.Usage);
        return r;
    }

    public static List<string> Tags(IEnumerable<string> tags)
    {
        List<string> list;
        try { list = WorkItemRules.Labels(tags.Select(t => t.Trim().ToLowerInvariant()), "--tag"); }
        catch (OrcException ex) { throw new OrcException(ex.Message, ExitCodes.Usage); }
        if (list.Count > MaxTags) throw new OrcException($"--tag: {list.Count} tags; a learning has at most {MaxTags}", ExitCodes.Usage);
        return list;
    }

    public static string NewId(Random random)
    {
        Span<char> s = stackalloc char[6];
        for (var i = 0; i < s.Length; i++) s[i] = Alphabet[random.Next(Alphabet.Length)];
        return "ln-" + new string(s);
    }

    public static bool IsId(string? id) =>
        id is { Length: 9 } && id.StartsWith("ln-", StringComparison.Ordinal) && id[3..].All(c => Alphabet.Contains(c));

    /// <summary>The text as compared for duplicates: case and runs of spaces do not count.</summary>
    public static string Normal(string text) =>
        string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).ToLowerInvariant();

    /// <summary>True when <paramref name="a"/> says the same as <paramref name="b"/> for the same rig and role.</summary>
    public static bool SameAs(Learning a, Learning b) =>
        a.Rig == b.Rig && a.Role == b.Role && Normal(a.Text) == Normal(b.Text);
}
