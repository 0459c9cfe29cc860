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

    /// <summary>Parses every line of <paramref name="data"/>. Items keep slices of it as their raw lines.</summary>
    public static (List<WorkItem> Items, List<LedgerLineError> Errors) ReadLines(ReadOnlyMemory<byte> data)
    {
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
                var item = ReadItem(line.Span);
                item.SetRawLine(line);
                items.Add(item);
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
            return ReadItem(Encoding.UTF8.GetBytes(json));
        }
        catch (JsonException ex)
        {
            throw new LedgerFormatException(Describe(ex));
        }
    }

    private static string Describe(Exception ex) => ex switch
    {
        JsonException j => "invalid JSON" + (j.BytePositionInLine is { } p ? $" at column {p + 1}" : "") + ": " + FirstSentence(j.Message),
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

    private static WorkItem ReadItem(ReadOnlySpan<byte> line)
    {
        var reader = new Utf8JsonReader(line, isFinalBlock: true, new JsonReaderState(ReaderOptions));
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            throw new LedgerFormatException("not a JSON object");
        string? id = null;
        var item = new WorkItem { Id = "" };
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            reader.Read();
            if (reader.TokenType == JsonTokenType.EndObject) break;
            var name = reader.GetString()!;
            if (!seen.Add(name)) throw new LedgerFormatException($"field '{name}' appears twice");
            reader.Read();
            switch (name)
            {
                case "id": id = RequiredString(ref reader, name); break;
                case "title": item.Title = OptionalString(ref reader, name) ?? ""; break;
                case "description": item.Description = OptionalString(ref reader, name); break;
                case "design": item.Design = OptionalString(ref reader, name); break;
                case "acceptance_criteria": item.AcceptanceCriteria = OptionalString(ref reader, name); break;
                case "notes": item.Notes = OptionalString(ref reader, name); break;
                case "status": item.Status = OptionalString(ref reader, name) ?? Statuses.Open; break;
                case "priority":
                    if (reader.TokenType == JsonTokenType.Null) break;
                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out var p))
                        throw new LedgerFormatException($"field 'priority' must be an integer, got {Kind(reader.TokenType)}");
                    item.Priority = p;
                    break;
                case "issue_type": item.IssueType = OptionalString(ref reader, name) ?? IssueTypes.Task; break;
                case "assignee": item.Assignee = OptionalString(ref reader, name); break;
                case "owner": item.Owner = OptionalString(ref reader, name); break;
                case "created_by": item.CreatedBy = OptionalString(ref reader, name); break;
                case "created_at": item.CreatedAt = OptionalString(ref reader, name); break;
                case "updated_at": item.UpdatedAt = OptionalString(ref reader, name); break;
                case "closed_at": item.ClosedAt = OptionalString(ref reader, name); break;
                case "close_reason": item.CloseReason = OptionalString(ref reader, name); break;
                case "defer_until": item.DeferUntil = OptionalString(ref reader, name); break;
                case "external_ref": item.ExternalRef = OptionalString(ref reader, name); break;
                case "labels": item.Labels = StringArray(ref reader, name); break;
                case "files": item.Files = StringArray(ref reader, name); break;
                case "dependencies": item.Dependencies = ReadDependencies(ref reader, line); break;
                case "comments": item.Comments = ReadComments(ref reader, line); break;
                default: item.Extra.Add(new(name, Raw(ref reader, line))); break;
            }
        }
        if (reader.Read()) throw new LedgerFormatException("text after the JSON object");
        if (string.IsNullOrEmpty(id)) throw new LedgerFormatException("item has no 'id'");
        item.Id = id;
        return item;
    }

    private static List<Dependency> ReadDependencies(ref Utf8JsonReader reader, ReadOnlySpan<byte> line)
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
                var name = reader.GetString()!;
                reader.Read();
                switch (name)
                {
                    case "issue_id": dep.IssueId = OptionalString(ref reader, "dependencies." + name) ?? ""; break;
                    case "depends_on_id": dep.DependsOnId = OptionalString(ref reader, "dependencies." + name) ?? ""; break;
                    case "type": dep.Type = OptionalString(ref reader, "dependencies." + name) ?? DependencyTypes.Blocks; break;
                    case "created_at": dep.CreatedAt = OptionalString(ref reader, "dependencies." + name); break;
                    case "created_by": dep.CreatedBy = OptionalString(ref reader, "dependencies." + name); break;
                    default: dep.Extra.Add(new(name, Raw(ref reader, line))); break;
                }
            }
            if (dep.DependsOnId.Length == 0) throw new LedgerFormatException("a dependency has no 'depends_on_id'");
            list.Add(dep);
        }
        return list;
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
        sorted.Sort((a, b) => IdComparer.Instance.Compare(a.Id, b.Id));
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
