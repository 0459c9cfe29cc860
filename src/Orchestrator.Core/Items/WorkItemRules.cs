using System.Globalization;
using Orchestrator.Core.Text;

namespace Orchestrator.Core.Items;

/// <summary>
/// What a well-formed value looks like. Every check throws an <see cref="OrcException"/> whose
/// one-line message names the field (or option) and what is wrong. Every check is linear in its
/// input (lists are de-duplicated with hash sets), so a caller pays for its own input only.
/// </summary>
public static class WorkItemRules
{
    /// <summary>
    /// Everything about a new item that can be checked without the ledger: run by the front ends
    /// before they take the workspace lock, so input over a limit is refused without holding it.
    /// <paramref name="name"/> turns a field name (title, description, label, file, deps…) into the
    /// name the caller's user knows (an option such as --label); by default the field name.
    /// </summary>
    public static void Check(CreateItemRequest r, DateTimeOffset now, Func<string, string>? name = null)
    {
        string N(string field) => name?.Invoke(field) ?? field;
        Title(r.Title, N("title"));
        Text(r.Description, N("description"));
        Text(r.Design, N("design"));
        Text(r.AcceptanceCriteria, N("acceptance"));
        Text(r.Notes, N("notes"));
        if (r.Type is not null) Type(r.Type, N("type"));
        if (r.Priority is not null) Priority(r.Priority, N("priority"));
        Name(r.Assignee, N("assignee"));
        Name(r.Owner, N("owner"));
        Name(r.ExternalRef, N("external-ref"));
        Labels(r.Labels, N("label"));
        Files(r.Files, N("file"));
        DependencyCount(r.BlockedBy.Count + (r.ParentId is null ? 0 : 1) + (r.DiscoveredFrom is null ? 0 : 1), N("deps"));
        if (!string.IsNullOrWhiteSpace(r.DeferUntil)) When(r.DeferUntil, now, N("defer-until"));
    }

    /// <summary>Everything about a change that can be checked without the ledger (see
    /// <see cref="Check(CreateItemRequest, DateTimeOffset, Func{string, string}?)"/>).</summary>
    public static void Check(UpdateItemRequest r, DateTimeOffset now, Func<string, string>? name = null)
    {
        string N(string field) => name?.Invoke(field) ?? field;
        if (r.Title is not null) Title(r.Title, N("title"));
        Text(r.Description, N("description"));
        Text(r.Design, N("design"));
        Text(r.AcceptanceCriteria, N("acceptance"));
        Text(r.Notes, N("notes"));
        if (r.Status is not null) Status(r.Status, N("status"));
        if (r.Type is not null) Type(r.Type, N("type"));
        if (r.Priority is not null) Priority(r.Priority, N("priority"));
        Name(r.Assignee, N("assignee"));
        Name(r.Owner, N("owner"));
        Name(r.ExternalRef, N("external-ref"));
        if (r.Files is not null) Files(r.Files, N("file"));
        if (!string.IsNullOrEmpty(r.DeferUntil)) When(r.DeferUntil, now, N("defer-until"));
    }

    /// <summary>
    /// An item that arrives as a record (an imported JSONL line) meets the limits typed input meets:
    /// lengths and counts (<see cref="ItemLimits"/>), the priority range, a known status, a type word,
    /// dates that parse, claimed paths that meet <see cref="File"/>. Its text is data, as it was
    /// written elsewhere: control characters are kept (and shown escaped), not refused. Fields are
    /// named as the record spells them (description, acceptance_criteria, labels…).
    /// </summary>
    public static void Record(WorkItem item)
    {
        if (string.IsNullOrWhiteSpace(item.Title)) throw new OrcException("title: must not be empty");
        MaxLength(item.Title, ItemLimits.TitleLength, "title");
        MaxLength(item.Description, ItemLimits.TextLength, "description");
        MaxLength(item.Design, ItemLimits.TextLength, "design");
        MaxLength(item.AcceptanceCriteria, ItemLimits.TextLength, "acceptance_criteria");
        MaxLength(item.Notes, ItemLimits.TextLength, "notes");
        MaxLength(item.CloseReason, ItemLimits.TextLength, "close_reason");
        if (!Statuses.IsKnown(item.Status))
            throw new OrcException($"status: unknown status '{TerminalText.Line(item.Status)}' (one of {string.Join(", ", Statuses.All)})");
        Priority(item.Priority);
        Type(item.IssueType, "issue_type");
        MaxLength(item.Assignee, ItemLimits.NameLength, "assignee");
        MaxLength(item.Owner, ItemLimits.NameLength, "owner");
        MaxLength(item.CreatedBy, ItemLimits.NameLength, "created_by");
        MaxLength(item.ExternalRef, ItemLimits.NameLength, "external_ref");
        Date(item.CreatedAt, "created_at");
        Date(item.UpdatedAt, "updated_at");
        Date(item.ClosedAt, "closed_at");
        Date(item.DeferUntil, "defer_until");
        if (item.Labels.Count > ItemLimits.Labels)
            throw new OrcException($"labels: {item.Labels.Count:N0} labels; the limit is {ItemLimits.Labels} per item");
        foreach (var l in item.Labels)
        {
            if (l.Length == 0) throw new OrcException("labels: a label is empty");
            MaxLength(l, ItemLimits.LabelLength, "labels");
        }
        if (item.Files.Count > ItemLimits.Files)
            throw new OrcException($"files: {item.Files.Count:N0} files; the limit is {ItemLimits.Files} per item");
        foreach (var f in item.Files) File(f, "files");
        DependencyCount(item.DependencyList.Count, "dependencies");
        var unknown = item.Extra.Sum(e => (long)e.Key.Length + e.Value.Length);
        foreach (var d in item.DependencyList)
        {
            Date(d.CreatedAt, "dependencies.created_at");
            MaxLength(d.CreatedBy, ItemLimits.NameLength, "dependencies.created_by");
            unknown += d.Extra.Sum(e => (long)e.Key.Length + e.Value.Length);
        }
        foreach (var c in item.Comments)
        {
            MaxLength(c.Text, ItemLimits.TextLength, "comments.text");
            MaxLength(c.Author, ItemLimits.NameLength, "comments.author");
            Date(c.CreatedAt, "comments.created_at");
            unknown += c.Extra.Sum(e => (long)e.Key.Length + e.Value.Length);
        }
        if (unknown > ItemLimits.UnknownFieldsLength)
            throw new OrcException($"fields orc does not know hold {unknown:N0} characters together; the limit is {ItemLimits.UnknownFieldsLength:N0}");
    }

    private static void MaxLength(string? text, int limit, string field)
    {
        if (text is not null && text.Length > limit)
            throw new OrcException($"{field}: is {text.Length:N0} characters long; the limit is {limit:N0}");
    }

    private static void Date(string? text, string field)
    {
        if (!string.IsNullOrEmpty(text) && (text.Length > 64 || !Timestamps.TryParse(text, out _)))
            throw new OrcException($"{field}: '{TerminalText.Line(text.Length > 40 ? text[..40] + "…" : text)}' is not a date (RFC 3339, e.g. 2026-12-01T09:00:00Z)");
    }

    /// <summary>Refuses more dependencies than one item may have.</summary>
    public static void DependencyCount(int count, string field = "deps")
    {
        if (count > ItemLimits.Dependencies)
            throw new OrcException($"{field}: {count:N0} dependencies; the limit is {ItemLimits.Dependencies} per item");
    }

    public static string Title(string? title, string field = "title")
    {
        if (string.IsNullOrWhiteSpace(title))
            throw new OrcException($"{field}: must not be empty");
        if (title.Length > ItemLimits.TitleLength)
            throw new OrcException($"{field}: is {title.Length:N0} characters long; the limit is {ItemLimits.TitleLength}");
        NoControl(title, field, allowNewlines: false);
        return title;
    }

    public static string? Text(string? text, string field)
    {
        if (text is null) return null;
        if (text.Length > ItemLimits.TextLength)
            throw new OrcException($"{field}: is {text.Length:N0} characters long; the limit is {ItemLimits.TextLength:N0}");
        NoControl(text, field, allowNewlines: true);
        return text;
    }

    public static string? Name(string? name, string field)
    {
        if (string.IsNullOrEmpty(name)) return null;
        if (name.Length > ItemLimits.NameLength)
            throw new OrcException($"{field}: is {name.Length:N0} characters long; the limit is {ItemLimits.NameLength}");
        NoControl(name, field, allowNewlines: false);
        if (name.Trim() != name) throw new OrcException($"{field}: must not start or end with spaces");
        return name;
    }

    public static string Status(string? status, string field = "status")
    {
        var s = (status ?? "").Trim().ToLowerInvariant().Replace('-', '_');
        if (!Statuses.Settable.Contains(s))
            throw new OrcException($"{field}: unknown status '{TerminalText.Line(status)}' (one of {string.Join(", ", Statuses.Settable)})");
        return s;
    }

    public static int Priority(string? text, string field = "priority")
    {
        var s = (text ?? "").Trim();
        if (s.Length == 2 && s[0] is 'P' or 'p') s = s[1..];
        if (!int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var p))
            throw new OrcException($"{field}: '{TerminalText.Line(text)}' is not a priority (0-4, or P0-P4; 0 is most urgent)");
        return Priority(p, field);
    }

    public static int Priority(int p, string field = "priority") =>
        p is >= 0 and <= 4 ? p : throw new OrcException($"{field}: {p} is out of range (0-4, 0 is most urgent)");

    public static string Type(string? type, string field = "type")
    {
        var t = (type ?? "").Trim().ToLowerInvariant();
        if (t.Length is 0 or > 32 || !t.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_'))
            throw new OrcException($"{field}: '{TerminalText.Line(type)}' is not a type (task, bug, feature, epic, chore, or another word of letters, digits, - and _)");
        return t;
    }

    public static string Label(string? label, string field = "label")
    {
        if (string.IsNullOrEmpty(label)) throw new OrcException($"{field}: must not be empty");
        if (label.Length > ItemLimits.LabelLength)
            throw new OrcException($"{field}: is {label.Length:N0} characters long; the limit is {ItemLimits.LabelLength}");
        if (label.Any(c => char.IsWhiteSpace(c) || c == ',') || TerminalText.HasControl(label, allowNewlines: false))
            throw new OrcException($"{field}: '{TerminalText.Line(label)}' may not contain spaces, commas or control characters");
        return label;
    }

    /// <summary>
    /// The labels without repeats, in the order given, each checked. The limit counts distinct labels,
    /// and is checked before any label is looked at, so a list of any length is answered in linear time.
    /// </summary>
    public static List<string> Labels(IEnumerable<string> labels, string field = "label")
    {
        var list = Distinct(labels, field);
        foreach (var l in list) Label(l, field);
        return list;
    }

    /// <summary>
    /// Labels to look for (to remove): counted and measured like labels to add, but not checked for
    /// spaces or control characters, so a label that arrived as data can still be removed.
    /// </summary>
    public static List<string> LabelsToFind(IEnumerable<string> labels, string field = "label")
    {
        var list = Distinct(labels, field);
        foreach (var l in list)
            if (l.Length > ItemLimits.LabelLength)
                throw new OrcException($"{field}: is {l.Length:N0} characters long; the limit is {ItemLimits.LabelLength}");
        return list;
    }

    private static List<string> Distinct(IEnumerable<string> labels, string field)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var list = new List<string>();
        foreach (var l in labels)
            if (seen.Add(l ?? "")) list.Add(l ?? "");
        if (list.Count > ItemLimits.Labels) throw new OrcException($"{field}: {list.Count:N0} labels; the limit is {ItemLimits.Labels} per item");
        return list;
    }

    public static string DependencyType(string? type)
    {
        var t = (type ?? "").Trim().ToLowerInvariant();
        if (!DependencyTypes.Known.Contains(t))
            throw new OrcException($"--type: unknown dependency type '{TerminalText.Line(type)}' (one of {string.Join(", ", DependencyTypes.Known)})");
        return t;
    }

    /// <summary>A date or time, absolute (2026-12-01, RFC 3339) or relative to now (+3d, +12h, +30m).</summary>
    public static string When(string? text, DateTimeOffset now, string field)
    {
        var s = (text ?? "").Trim();
        if (s.Length > 1 && s[0] == '+' && int.TryParse(s[1..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            double? days = s[^1] switch { 'd' => n, 'h' => n / 24.0, 'm' => n / 1440.0, 'w' => 7.0 * n, _ => null };
            if (days is { } d)
            {
                if (d > 365 * 100) throw new OrcException($"{field}: '{TerminalText.Line(text)}' is more than 100 years away");
                return Timestamps.Format(now + TimeSpan.FromDays(d));
            }
        }
        if (Timestamps.TryParse(s, out var t)) return Timestamps.Format(t);
        throw new OrcException($"{field}: '{TerminalText.Line(text)}' is not a date (2026-12-01, 2026-12-01T09:00:00Z, or +3d, +12h, +1w)");
    }

    /// <summary>The paths, each checked by <see cref="File"/>, without repeats (in linear time).</summary>
    public static List<string> Files(IEnumerable<string> paths, string field = "file")
    {
        var list = paths.Select(p => File(p, field)).Distinct(StringComparer.Ordinal).ToList();
        if (list.Count > ItemLimits.Files) throw new OrcException($"{field}: {list.Count:N0} files; the limit is {ItemLimits.Files} per item");
        return list;
    }

    /// <summary>
    /// The one rule for a path an item claims, wherever the claim comes from (--file, an imported
    /// record, the plan, the sim agent's sim:touch= label): not empty, at most
    /// <see cref="ItemLimits.PathLength"/> characters, no control characters (NUL included), relative
    /// (no leading '/', '~' or drive), no '..' segment, and not .git or anything under it (writing there
    /// breaks the worktree). Returns the path with '/' separators.
    /// </summary>
    public static string File(string? path, string field = "file")
    {
        if (string.IsNullOrWhiteSpace(path)) throw new OrcException($"{field}: must not be empty");
        if (path.Length > ItemLimits.PathLength) throw new OrcException($"{field}: is {path.Length:N0} characters long; the limit is {ItemLimits.PathLength}");
        NoControl(path, field, allowNewlines: false);
        var p = path.Replace('\\', '/');
        // A path an item owns is inside the rig's repository: relative, and never climbing out.
        if (p.StartsWith('/') || p.StartsWith('~') || (p.Length >= 2 && p[1] == ':'))
            throw new OrcException($"{field}: '{TerminalText.Line(path)}' is an absolute path; give a path inside the rig's repository (e.g. src/app.cs)");
        if (p.Split('/').Any(part => part == ".."))
            throw new OrcException($"{field}: '{TerminalText.Line(path)}' leaves the rig's repository ('..'); give a path inside it (e.g. src/app.cs)");
        if (p.Split('/').Any(part => part.Equals(".git", StringComparison.OrdinalIgnoreCase)))
            throw new OrcException($"{field}: '{TerminalText.Line(path)}' is inside .git; give a path of the rig's own files");
        return p;
    }

    private static void NoControl(string text, string field, bool allowNewlines)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (allowNewlines && c is '\n' or '\t' or '\r') continue;
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0))
                throw new OrcException($"{field}: contains a control character ({Describe(c)} at position {i + 1}); terminal escape sequences and control characters are not accepted{(allowNewlines ? " (newlines and tabs are)" : "")}");
            if (char.IsSurrogate(c) && !(char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) && ++i > 0))
                throw new OrcException($"{field}: contains invalid UTF-16 (a lone surrogate at position {i + 1})");
        }
    }

    private static string Describe(char c) => c switch
    {
        '\x1b' => "ESC",
        '\0' => "NUL",
        '\a' => "BEL",
        '\n' => "newline",
        '\r' => "carriage return",
        '\t' => "tab",
        _ => $"U+{(int)c:X4}",
    };
}
