using Orchestrator.Core.Items;
using Orchestrator.Core.Text;

namespace Orchestrator.Core.Mail;

/// <summary>
/// One message in one mailbox. A message to several recipients is one copy per mailbox, each
/// with its own id and the same <see cref="Thread"/>. Kept in the workspace as
/// <c>mail/BOX/ID.json</c> (archived ones under <c>mail/BOX/archive/</c>).
/// </summary>
public sealed record Message
{
    public required string Id { get; init; }
    /// <summary>The sender's mailbox.</summary>
    public required string From { get; init; }
    /// <summary>The address as the sender wrote it (<c>all@app</c>, <c>refinery@app</c>, <c>overseer</c>…).</summary>
    public required string To { get; init; }
    /// <summary>The mailbox this copy is in.</summary>
    public required string Box { get; init; }
    public required string Subject { get; init; }
    public string? Body { get; init; }
    public required string SentAt { get; init; }
    /// <summary>The message this one answers, if any.</summary>
    public string? ReplyTo { get; init; }
    /// <summary>The id of the first message of the conversation.</summary>
    public required string Thread { get; init; }
    /// <summary>The work item the message is about, if any (the refinery and witness set it).</summary>
    public string? Item { get; init; }
    public string? ReadAt { get; init; }
    public string? ArchivedAt { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsRead => ReadAt is not null;
}

/// <summary>What an address names before it is resolved against the workspace's agents and rigs.</summary>
public enum AddressKind { Overseer, Mayor, Agent, Role, Group }

/// <summary>A parsed address: <c>overseer</c>, <c>mayor</c>, <c>AGENT</c>, <c>refinery@RIG</c>, <c>witness@RIG</c>, <c>all@RIG</c>, <c>polecats@RIG</c>,
/// <c>crew@RIG</c>.</summary>
public sealed record Address(AddressKind Kind, string Name, string? Rig)
{
    public override string ToString() => Rig is null ? Name : $"{Name}@{Rig}";
}

/// <summary>The rules of mail: addresses, mailbox names, subjects and bodies, message ids.</summary>
public static class MailRules
{
    public const string Overseer = "overseer";
    public const string Mayor = "mayor";
    public const int MaxSubjectLength = 200;

    /// <summary>Roles with one mailbox per rig (the services).</summary>
    public static readonly IReadOnlyList<string> RoleBoxes = ["refinery", "witness"];

    /// <summary>Groups that mean several agents of a rig.</summary>
    public static readonly IReadOnlyList<string> Groups = ["all", "polecats", "crew"];

    public const string Usage = "an agent name, overseer, mayor, refinery@RIG, witness@RIG, all@RIG, polecats@RIG or crew@RIG";

    /// <summary>Parses one address; a bad one is a usage error naming it.</summary>
    public static Address Parse(string? text)
    {
        var a = (text ?? "").Trim();
        if (a.Length == 0) throw new OrcException($"mail: empty address (use {Usage})", ExitCodes.Usage);
        if (a == Overseer) return new Address(AddressKind.Overseer, Overseer, null);
        if (a == Mayor) return new Address(AddressKind.Mayor, Mayor, null);
        var at = a.IndexOf('@');
        if (at < 0)
        {
            if (!Names.IsValid(a)) throw new OrcException($"mail: '{TerminalText.Line(Clip(a))}' is not an address (use {Usage})", ExitCodes.Usage);
            return new Address(AddressKind.Agent, a, null);
        }
        var name = a[..at];
        var rig = a[(at + 1)..];
        if (name.Length == 0) name = "all";
        if (!Names.IsValid(rig)) throw new OrcException($"mail: '{TerminalText.Line(Clip(a))}' names no valid rig (use {Usage})", ExitCodes.Usage);
        if (RoleBoxes.Contains(name)) return new Address(AddressKind.Role, name, rig);
        if (Groups.Contains(name)) return new Address(AddressKind.Group, name, rig);
        throw new OrcException($"mail: '{TerminalText.Line(Clip(a))}': '{TerminalText.Line(Clip(name))}' is not a role of a rig (refinery, witness, all, polecats, crew)", ExitCodes.Usage);
    }

    /// <summary>Parses a comma-separated list of addresses, without repeats.</summary>
    public static List<Address> ParseList(string? text)
    {
        var list = new List<Address>();
        foreach (var part in (text ?? "").Split(','))
        {
            var a = Parse(part);
            if (!list.Contains(a)) list.Add(a);
        }
        return list;
    }

    /// <summary>The mailbox name of an address that has exactly one (not a group).</summary>
    public static string BoxOf(Address a) => a.Kind switch
    {
        AddressKind.Role => $"{a.Name}@{a.Rig}",
        AddressKind.Group => throw new InvalidOperationException("a group has no single mailbox"),
        _ => a.Name,
    };

    /// <summary>True when <paramref name="box"/> is a well-formed mailbox name (not a group).</summary>
    public static bool IsBox(string? box)
    {
        try { return Parse(box).Kind != AddressKind.Group; }
        catch (OrcException) { return false; }
    }

    public static string Subject(string? subject)
    {
        if (string.IsNullOrWhiteSpace(subject)) throw new OrcException("mail: the subject is empty", ExitCodes.Usage);
        if (subject.Length > MaxSubjectLength) throw new OrcException($"mail: the subject is {subject.Length:N0} characters; the limit is {MaxSubjectLength}",
            ExitCodes.Usage);
        if (subject.Any(c => char.IsControl(c))) throw new OrcException("mail: the subject holds control characters or line breaks (put details in the body)",
            ExitCodes.Usage);
        return subject.Trim();
    }

    public static string? Body(string? body)
    {
        if (string.IsNullOrEmpty(body)) return null;
        try { return WorkItemRules.Text(body, "mail body"); }
        catch (OrcException ex) { throw new OrcException(ex.Message, ExitCodes.Usage); }
    }

    /// <summary>A subject for a reply: "Re: " once.</summary>
    public static string ReplySubject(string subject)
    {
        var s = subject.StartsWith("Re: ", StringComparison.OrdinalIgnoreCase) ? subject : "Re: " + subject;
        return s.Length <= MaxSubjectLength ? s : s[..(MaxSubjectLength - 1)] + "…";
    }

    private const string Alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";

    /// <summary>A new message id: <c>m-</c> and six base-36 characters.</summary>
    public static string NewId(Random random)
    {
        Span<char> s = stackalloc char[6];
        for (var i = 0; i < s.Length; i++) s[i] = Alphabet[random.Next(Alphabet.Length)];
        return "m-" + new string(s);
    }

    public static bool IsId(string? id) =>
        id is { Length: 8 } && id.StartsWith("m-", StringComparison.Ordinal) && id[2..].All(c => Alphabet.Contains(c));

    private static string Clip(string s) => s.Length <= 40 ? s : s[..40] + "…";
}

/// <summary>
/// A nudge that could not be typed because the agent was busy: delivered by the witness (or
/// <c>orc mail deliver</c>) once the agent is idle at its prompt. Kept under <c>.orc/run/nudges/</c>.
/// </summary>
public sealed record PendingNudge
{
    public required string Agent { get; init; }
    public List<string> Messages { get; init; } = [];
    public required string Since { get; init; }
}
