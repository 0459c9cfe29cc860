using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Orchestrator.Core.Items;

namespace Orchestrator.Core.Ledger;

/// <summary>A line of a ledger file that could not be read. It is reported and kept, never dropped.</summary>
public sealed record LedgerLineError(int LineNumber, string RawText, string Message);

/// <summary>
/// Reads and writes the ledger's JSON Lines format (the Beads export format). Reading is
/// per line: a bad line becomes a <see cref="LedgerLineError"/> and the rest still loads.
/// An item read and not modified is written back as its original bytes.
/// </summary>
public static class LedgerCodec
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = true,
    };

    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
        MaxDepth = 64,
    };

    /// <summary>
    /// Parses every line of <paramref name="data"/>. Items keep slices of it as their raw lines.
    /// <paramref name="lineNumbers"/>, when given, receives each item's line number (in item order).
    /// </summary>
    /// <param name="deferred">Check every field as a full read does, but keep only the fields
    /// <see cref="IsDeferred"/> leaves out in the line: each item reads them from it when first used.</param>
    public static (List<WorkItem> Items, List<LedgerLineError> Errors) ReadLines(ReadOnlyMemory<byte> data, bool summary = false, List<int>? lineNumbers = null,
        bool deferred = false)
    {
        var mode = summary ? ReadMode.Summary : deferred ? ReadMode.Deferred : ReadMode.Full;
        var gate = mode == ReadMode.Deferred ? new object() : null;
        var items = new List<WorkItem>(EstimateLines(data.Span));
        var errors = new List<LedgerLineError>();
        var rest = data;
        var lineNumber = 0;
        while (!rest.IsEmpty)
        {
            lineNumber++;
            var nl = rest.Span.IndexOf((byte)'\n');
            var line = nl < 0 ? rest : rest[..nl];
            rest = nl < 0 ? ReadOnlyMemory<byte>.Empty : rest[(nl + 1)..];
            if (!line.IsEmpty && line.Span[^1] == (byte)'\r') line = line[..^1];
            if (IsBlank(line.Span)) continue;
            try
            {
                var item = ReadItem(line.Span, mode);
                item.SetRawLine(line);
                if (gate is not null) item.Defer(gate);
                items.Add(item);
                lineNumbers?.Add(lineNumber);
            }
            catch (Exception ex) when (ex is JsonException or LedgerFormatException or InvalidOperationException or FormatException)
            {
                errors.Add(new LedgerLineError(lineNumber, DecodeLossy(line.Span), Describe(ex)));
            }
        }
        return (items, errors);
    }

    /// <summary>Parses one JSON object into an item, or throws <see cref="LedgerFormatException"/>.</summary>
    public static WorkItem ParseItem(string json)
    {
        try
        {
            return ReadItem(Encoding.UTF8.GetBytes(json), ReadMode.Full);
        }
        catch (JsonException ex)
        {
            throw new LedgerFormatException(Describe(ex));
        }
    }

    private static string Describe(Exception ex) => ex switch
    {
        JsonException j => "invalid JSON" + (j.BytePositionInLine is { } p ? $" at column {p + 1}" : "") + ": " + FirstSentence(j.Message),
        InvalidOperationException { InnerException: DecoderFallbackException } => "is not valid UTF-8 (a string holds bytes that are not UTF-8 text)",
        _ => ex.Message,
    };

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut < 0) cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        var s = cut > 0 ? message[..cut] : message;
        return s.TrimEnd('.', ' ');
    }

    private static int EstimateLines(ReadOnlySpan<byte> data) => Math.Max(16, data.Length / 300);

    private static bool IsBlank(ReadOnlySpan<byte> line)
    {
        foreach (var b in line)
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r')) return false;
        return true;
    }

    private static string DecodeLossy(ReadOnlySpan<byte> line) => Encoding.UTF8.GetString(line);

    private enum Field
    {
        Unknown, Id, Title, Description, Design, AcceptanceCriteria, Notes, Status, Priority, IssueType, Assignee, Owner,
        CreatedBy, CreatedAt, UpdatedAt, ClosedAt, CloseReason, DeferUntil, ExternalRef, Labels, Files, Dependencies, Comments,
    }

    private static readonly (byte[] Name, Field Field)[] FieldNames =
    [
        ("id"u8.ToArray(), Field.Id), ("title"u8.ToArray(), Field.Title), ("status"u8.ToArray(), Field.Status),
        ("priority"u8.ToArray(), Field.Priority), ("issue_type"u8.ToArray(), Field.IssueType), ("created_at"u8.ToArray(), Field.CreatedAt),
        ("updated_at"u8.ToArray(), Field.UpdatedAt), ("description"u8.ToArray(), Field.Description), ("dependencies"u8.ToArray(), Field.Dependencies),
        ("labels"u8.ToArray(), Field.Labels), ("assignee"u8.ToArray(), Field.Assignee), ("created_by"u8.ToArray(), Field.CreatedBy),
        ("design"u8.ToArray(), Field.Design), ("acceptance_criteria"u8.ToArray(), Field.AcceptanceCriteria), ("notes"u8.ToArray(), Field.Notes),
        ("owner"u8.ToArray(), Field.Owner), ("closed_at"u8.ToArray(), Field.ClosedAt), ("close_reason"u8.ToArray(), Field.CloseReason),
        ("defer_until"u8.ToArray(), Field.DeferUntil), ("external_ref"u8.ToArray(), Field.ExternalRef), ("files"u8.ToArray(), Field.Files),
        ("comments"u8.ToArray(), Field.Comments),
    ];

    private static Field Identify(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped) return IdentifyName(reader.GetString()!);
        var span = reader.ValueSpan;
        foreach (var (name, field) in FieldNames)
            if (span.SequenceEqual(name)) return field;
        return Field.Unknown;
    }

    private static Field IdentifyName(string name)
    {
        var bytes = Encoding.UTF8.GetBytes(name);
        foreach (var (n, field) in FieldNames)
            if (bytes.AsSpan().SequenceEqual(n)) return field;
        return Field.Unknown;
    }

    /// <summary>Fields a summary read keeps: what readiness, filters and one-line output need.</summary>
    private static bool InSummary(Field f) => f is Field.Id or Field.Title or Field.Status or Field.Priority or Field.IssueType
        or Field.Assignee or Field.Labels or Field.CreatedAt or Field.DeferUntil or Field.Dependencies;

    /// <summary>
    /// Fields a deferred read checks but leaves in the line (<see cref="WorkItem"/> reads them from it
    /// on first use): the long texts and what only a change, a merge or a single item's view reads.
    /// </summary>
    private static bool IsDeferred(Field f) => f is Field.Description or Field.Design or Field.AcceptanceCriteria or Field.Notes
        or Field.Owner or Field.CreatedBy or Field.UpdatedAt or Field.ClosedAt or Field.CloseReason or Field.ExternalRef
        or Field.Files or Field.Comments;

    private enum ReadMode { Full, Summary, Deferred }

    /// <summary>Every field of a line a deferred read already checked (for <see cref="WorkItem"/>).</summary>
    internal static WorkItem ReadFull(ReadOnlySpan<byte> line) => ReadItem(line, ReadMode.Full);

    private static WorkItem ReadItem(ReadOnlySpan<byte> line, ReadMode mode)
    {
        var summary = mode == ReadMode.Summary;
        var deferred = mode == ReadMode.Deferred;
        var reader = new Utf8JsonReader(line, isFinalBlock: true, new JsonReaderState(ReaderOptions));
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            throw new LedgerFormatException("not a JSON object");
        string? id = null;
        var item = new WorkItem { Id = "" };
        var seen = 0u;
        List<string>? names = null; // of the unknown fields
        HashSet<string>? unknownNames = null; // made once there are a few: a line of many unknown fields is read in linear time
        while (true)
        {
            reader.Read();
            if (reader.TokenType == JsonTokenType.EndObject) break;
            var field = Identify(ref reader);
            if (field == Field.Unknown)
            {
                var unknown = reader.GetString()!;
                reader.Read();
                if (summary) { reader.Skip(); continue; }
                names ??= [];
                if (names.Count == 8) unknownNames = names.ToHashSet(StringComparer.Ordinal);
                if (unknownNames is null ? names.Contains(unknown) : !unknownNames.Add(unknown))
                    throw new LedgerFormatException($"field '{unknown}' appears twice");
                names.Add(unknown);
                if (deferred) reader.Skip();
                else item.Extra.Add(new(unknown, Raw(ref reader, line)));
                continue;
            }
            var bit = 1u << (int)field;
            if ((seen & bit) != 0) throw new LedgerFormatException($"field '{Encoding.UTF8.GetString(FieldNames.First(f => f.Field == field).Name)}' appears twice");
            seen |= bit;
            reader.Read();
            if (summary && !InSummary(field)) { reader.Skip(); continue; }
            if (deferred && IsDeferred(field)) { Check(ref reader, field, line); continue; }
            switch (field)
            {
                case Field.Id: id = RequiredString(ref reader, "id"); break;
                case Field.Title: item.Title = OptionalString(ref reader, "title") ?? ""; break;
                case Field.Description: item.Description = OptionalString(ref reader, "description"); break;
                case Field.Design: item.Design = OptionalString(ref reader, "design"); break;
                case Field.AcceptanceCriteria: item.AcceptanceCriteria = OptionalString(ref reader, "acceptance_criteria"); break;
                case Field.Notes: item.Notes = OptionalString(ref reader, "notes"); break;
                case Field.Status: item.Status = KnownString(ref reader, "status") ?? Statuses.Open; break;
                case Field.Priority:
                    if (reader.TokenType == JsonTokenType.Null) break;
                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out var p))
                        throw new LedgerFormatException($"field 'priority' must be an integer, got {Kind(reader.TokenType)}");
                    item.Priority = p;
                    break;
                case Field.IssueType: item.IssueType = KnownString(ref reader, "issue_type") ?? IssueTypes.Task; break;
                case Field.Assignee: item.Assignee = OptionalString(ref reader, "assignee"); break;
                case Field.Owner: item.Owner = OptionalString(ref reader, "owner"); break;
                case Field.CreatedBy: item.CreatedBy = OptionalString(ref reader, "created_by"); break;
                case Field.CreatedAt: item.CreatedAt = OptionalString(ref reader, "created_at"); break;
                case Field.UpdatedAt: item.UpdatedAt = OptionalString(ref reader, "updated_at"); break;
                case Field.ClosedAt: item.ClosedAt = OptionalString(ref reader, "closed_at"); break;
                case Field.CloseReason: item.CloseReason = OptionalString(ref reader, "close_reason"); break;
                case Field.DeferUntil: item.DeferUntil = OptionalString(ref reader, "defer_until"); break;
                case Field.ExternalRef: item.ExternalRef = OptionalString(ref reader, "external_ref"); break;
                case Field.Labels: item.Labels = StringArray(ref reader, "labels"); break;
                case Field.Files: item.Files = StringArray(ref reader, "files"); break;
                case Field.Dependencies: item.Dependencies = ReadDependencies(ref reader, line, summary, id); break;
                case Field.Comments: item.Comments = ReadComments(ref reader, line); break;
            }
        }
        if (reader.Read()) throw new LedgerFormatException("text after the JSON object");
        if (string.IsNullOrEmpty(id)) throw new LedgerFormatException("item has no 'id'");
        if (!IdGenerator.IsWellFormedId(id)) throw new LedgerFormatException($"id '{Text.TerminalText.Line(id.Length > 40 ? id[..40] + "…" : id)}' is not a valid id (letters, digits, '.', '-' and '_', starting with a letter or digit, at most {IdGenerator.MaxIdLength}, no '..')");
        item.Id = id;
        if (summary) item.MarkSummary();
        return item;
    }

    /// <summary>What a full read of a deferred field would refuse, refused the same way, without keeping the value.</summary>
    private static void Check(ref Utf8JsonReader reader, Field field, ReadOnlySpan<byte> line)
    {
        switch (field)
        {
            case Field.Files:
                if (reader.TokenType == JsonTokenType.Null) return;
                Expect(ref reader, JsonTokenType.StartArray, "files", "an array of strings");
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.String)
                        throw new LedgerFormatException($"field 'files' must be an array of strings, found {Kind(reader.TokenType)}");
                    CheckText(ref reader);
                }
                return;
            case Field.Comments:
                ReadComments(ref reader, line);
                return;
            default:
                if (reader.TokenType == JsonTokenType.Null) return;
                if (reader.TokenType != JsonTokenType.String)
                    throw new LedgerFormatException($"field '{Encoding.UTF8.GetString(FieldNames.First(f => f.Field == field).Name)}' must be a string, got {Kind(reader.TokenType)}");
                CheckText(ref reader);
                return;
        }
    }

    /// <summary>Throws what <see cref="Utf8JsonReader.GetString"/> would throw for this string (bytes that are not UTF-8), without making it.</summary>
    private static void CheckText(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            if (!System.Text.Unicode.Utf8.IsValid(reader.ValueSpan)) _ = reader.GetString();
            return;
        }
        var length = reader.HasValueSequence ? checked((int)reader.ValueSequence.Length) : reader.ValueSpan.Length;
        var chars = ArrayPool<char>.Shared.Rent(Math.Max(1, length));
        try { reader.CopyString(chars); }
        finally { ArrayPool<char>.Shared.Return(chars); }
    }

    /// <param name="itemId">The item's id when already read: an <c>issue_id</c> equal to it shares its string.</param>
    private static List<Dependency> ReadDependencies(ref Utf8JsonReader reader, ReadOnlySpan<byte> line, bool summary, string? itemId)
    {
        var list = new List<Dependency>();
        if (reader.TokenType == JsonTokenType.Null) return list;
        Expect(ref reader, JsonTokenType.StartArray, "dependencies", "an array");
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            Expect(ref reader, JsonTokenType.StartObject, "dependencies", "an array of objects");
            var dep = new Dependency();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                // Names matched as bytes: a ledger has tens of thousands of dependencies.
                var key = reader.ValueTextEquals("depends_on_id"u8) ? 1 : reader.ValueTextEquals("type"u8) ? 2 : reader.ValueTextEquals("issue_id"u8) ? 3
                    : reader.ValueTextEquals("created_at"u8) ? 4 : reader.ValueTextEquals("created_by"u8) ? 5 : 0;
                var name = key == 0 ? reader.GetString()! : null;
                reader.Read();
                switch (key)
                {
                    case 1: dep.DependsOnId = OptionalString(ref reader, "dependencies.depends_on_id") ?? ""; break;
                    case 2: dep.Type = KnownString(ref reader, "dependencies.type") ?? DependencyTypes.Blocks; break;
                    case 3:
                        dep.IssueId = itemId is not null && reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && IsAscii(reader.ValueSpan,
                            itemId)
                            ? itemId
                            : OptionalString(ref reader, "dependencies.issue_id") ?? "";
                        break;
                    case 4 or 5 when summary: reader.Skip(); break; // queries do not read them (nor does the index keep them)
                    case 4: dep.CreatedAt = OptionalString(ref reader, "dependencies.created_at"); break;
                    case 5: dep.CreatedBy = OptionalString(ref reader, "dependencies.created_by"); break;
                    default:
                        if (summary) reader.Skip();
                        else dep.Extra.Add(new(name!, Raw(ref reader, line)));
                        break;
                }
            }
            if (dep.DependsOnId.Length == 0) throw new LedgerFormatException("a dependency has no 'depends_on_id'");
            list.Add(dep);
        }
        return list;
    }

    private static bool IsAscii(ReadOnlySpan<byte> bytes, string text)
    {
        if (bytes.Length != text.Length) return false;
        for (var i = 0; i < bytes.Length; i++)
            if (bytes[i] != text[i]) return false;
        return true;
    }

    /// <summary>
    /// A string field whose values repeat (statuses, types): the shared string when it is a known
    /// one, else a new string; checked as <see cref="OptionalString"/> checks.
    /// </summary>
    private static string? KnownString(ref Utf8JsonReader reader, string field)
    {
        if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped)
        {
            var span = reader.ValueSpan;
            for (var i = 0; i < KnownWords.Bytes.Length; i++)
                if (span.SequenceEqual(KnownWords.Bytes[i])) return KnownWords.Strings[i];
        }
        return OptionalString(ref reader, field);
    }

    private static List<Comment> ReadComments(ref Utf8JsonReader reader, ReadOnlySpan<byte> line)
    {
        var list = new List<Comment>();
        if (reader.TokenType == JsonTokenType.Null) return list;
        Expect(ref reader, JsonTokenType.StartArray, "comments", "an array");
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            Expect(ref reader, JsonTokenType.StartObject, "comments", "an array of objects");
            var c = new Comment();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var name = reader.GetString()!;
                reader.Read();
                switch (name)
                {
                    case "id":
                        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var cid))
                            throw new LedgerFormatException($"field 'comments.id' must be an integer, got {Kind(reader.TokenType)}");
                        c.Id = cid;
                        break;
                    case "issue_id": c.IssueId = OptionalString(ref reader, "comments." + name) ?? ""; break;
                    case "author": c.Author = OptionalString(ref reader, "comments." + name) ?? ""; break;
                    case "text": c.Text = OptionalString(ref reader, "comments." + name) ?? ""; break;
                    case "created_at": c.CreatedAt = OptionalString(ref reader, "comments." + name); break;
                    default: c.Extra.Add(new(name, Raw(ref reader, line))); break;
                }
            }
            list.Add(c);
        }
        return list;
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string field, string what)
    {
        if (reader.TokenType != type)
            throw new LedgerFormatException($"field '{field}' must be {what}, got {Kind(reader.TokenType)}");
    }

    private static string RequiredString(ref Utf8JsonReader reader, string field) =>
        OptionalString(ref reader, field) ?? throw new LedgerFormatException($"field '{field}' must be a string, got null");

    private static string? OptionalString(ref Utf8JsonReader reader, string field) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Null => null,
        _ => throw new LedgerFormatException($"field '{field}' must be a string, got {Kind(reader.TokenType)}"),
    };

    private static List<string> StringArray(ref Utf8JsonReader reader, string field)
    {
        var list = new List<string>();
        if (reader.TokenType == JsonTokenType.Null) return list;
        Expect(ref reader, JsonTokenType.StartArray, field, "an array of strings");
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String)
                throw new LedgerFormatException($"field '{field}' must be an array of strings, found {Kind(reader.TokenType)}");
            list.Add(reader.GetString()!);
        }
        return list;
    }

    private static string Raw(ref Utf8JsonReader reader, ReadOnlySpan<byte> line)
    {
        var start = (int)reader.TokenStartIndex;
        reader.Skip();
        var end = (int)reader.BytesConsumed;
        return Encoding.UTF8.GetString(line[start..end]);
    }

    private static string Kind(JsonTokenType t) => t switch
    {
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.StartObject => "an object",
        _ => t.ToString(),
    };

    /// <summary>Writes the whole ledger: items sorted by id, one per line.</summary>
    public static void WriteLedger(IBufferWriter<byte> output, IEnumerable<WorkItem> items)
    {
        var sorted = items.ToList();
        LedgerDocument.SortById(sorted);
        using var writer = new Utf8JsonWriter(output, WriterOptions);
        foreach (var item in sorted)
        {
            if (item.HasRawLine)
            {
                writer.Flush();
                output.Write(item.RawLine.Span);
            }
            else
            {
                WriteItem(writer, item);
                writer.Flush();
                writer.Reset(output);
            }
            output.Write("\n"u8);
        }
        writer.Flush();
    }

    /// <summary>One item as a compact JSON line (no newline).</summary>
    public static string ToJsonLine(WorkItem item)
    {
        if (item.HasRawLine) return Encoding.UTF8.GetString(item.RawLine.Span);
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
            WriteItem(writer, item);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Writes an item as a JSON object: its original bytes if unmodified, else from its fields.</summary>
    public static void WriteItem(Utf8JsonWriter writer, WorkItem item, Action<Utf8JsonWriter>? extraFields = null)
    {
        if (item.HasRawLine && extraFields is null)
        {
            writer.WriteRawValue(item.RawLine.Span, skipInputValidation: true);
            return;
        }
        writer.WriteStartObject();
        WriteFields(writer, item);
        extraFields?.Invoke(writer);
        writer.WriteEndObject();
    }

    private static void WriteFields(Utf8JsonWriter w, WorkItem item)
    {
        w.WriteString("id"u8, item.Id);
        w.WriteString("title"u8, item.Title);
        Opt(w, "description"u8, item.Description);
        Opt(w, "design"u8, item.Design);
        Opt(w, "acceptance_criteria"u8, item.AcceptanceCriteria);
        Opt(w, "notes"u8, item.Notes);
        w.WriteString("status"u8, item.Status);
        w.WriteNumber("priority"u8, item.Priority);
        w.WriteString("issue_type"u8, item.IssueType);
        Opt(w, "assignee"u8, item.Assignee);
        Opt(w, "owner"u8, item.Owner);
        Opt(w, "created_at"u8, item.CreatedAt);
        Opt(w, "created_by"u8, item.CreatedBy);
        Opt(w, "updated_at"u8, item.UpdatedAt);
        Opt(w, "closed_at"u8, item.ClosedAt);
        Opt(w, "close_reason"u8, item.CloseReason);
        Opt(w, "defer_until"u8, item.DeferUntil);
        Opt(w, "external_ref"u8, item.ExternalRef);
        StringList(w, "labels"u8, item.Labels);
        StringList(w, "files"u8, item.Files);
        if (item.Dependencies.Count > 0)
        {
            w.WriteStartArray("dependencies"u8);
            foreach (var d in item.Dependencies)
            {
                w.WriteStartObject();
                w.WriteString("issue_id"u8, d.IssueId);
                w.WriteString("depends_on_id"u8, d.DependsOnId);
                w.WriteString("type"u8, d.Type);
                Opt(w, "created_at"u8, d.CreatedAt);
                Opt(w, "created_by"u8, d.CreatedBy);
                Extras(w, d.Extra);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        if (item.Comments.Count > 0)
        {
            w.WriteStartArray("comments"u8);
            foreach (var c in item.Comments)
            {
                w.WriteStartObject();
                w.WriteNumber("id"u8, c.Id);
                w.WriteString("issue_id"u8, c.IssueId);
                w.WriteString("author"u8, c.Author);
                w.WriteString("text"u8, c.Text);
                Opt(w, "created_at"u8, c.CreatedAt);
                Extras(w, c.Extra);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        Extras(w, item.Extra);
    }

    private static void Opt(Utf8JsonWriter w, ReadOnlySpan<byte> name, string? value)
    {
        if (!string.IsNullOrEmpty(value)) w.WriteString(name, value);
    }

    private static void StringList(Utf8JsonWriter w, ReadOnlySpan<byte> name, List<string> values)
    {
        if (values.Count == 0) return;
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }

    private static void Extras(Utf8JsonWriter w, List<KeyValuePair<string, string>> extra)
    {
        foreach (var (name, raw) in extra)
        {
            w.WritePropertyName(name);
            w.WriteRawValue(raw, skipInputValidation: true);
        }
    }
}

/// <summary>A ledger line is valid JSON but not a valid item (wrong type, missing id).</summary>
public sealed class LedgerFormatException(string message) : Exception(message);
