using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Orchestrator.Core.Items;
using Orchestrator.Core.Ledger;

namespace Orchestrator.Cli.Output;

/// <summary>JSON on standard output: items in the ledger's own shape, lists as arrays, one element per line.</summary>
internal static class JsonOut
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    public static void Write(CliEnvironment output, Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var w = new Utf8JsonWriter(buffer, Options)) body(w);
        buffer.Write("\n"u8);
        output.WriteUtf8(buffer.WrittenSpan);
    }

    /// <summary>A typed view (<see cref="Json.CliJsonContext"/>) as one line.</summary>
    public static void Write<T>(CliEnvironment output, T value, JsonTypeInfo<T> type) => Write(output, w => JsonSerializer.Serialize(w, value, type));

    public static void Item(CliEnvironment output, WorkItem item) => Write(output, w => LedgerCodec.WriteItem(w, item));

    /// <summary>An array of items; unmodified items are copied from the ledger's bytes.</summary>
    public static void Items(CliEnvironment output, IReadOnlyList<WorkItem> items, Action<Utf8JsonWriter, WorkItem>? extra = null)
    {
        var buffer = new ArrayBufferWriter<byte>(Math.Max(256, items.Count * 400));
        buffer.Write("["u8);
        using var w = new Utf8JsonWriter(buffer, Options);
        for (var i = 0; i < items.Count; i++)
        {
            buffer.Write(i == 0 ? "\n"u8 : ",\n"u8);
            var item = items[i];
            if (extra is null) LedgerCodec.WriteItem(w, item);
            else LedgerCodec.WriteItem(w, item, x => extra(x, item));
            w.Flush();
            w.Reset(buffer);
        }
        buffer.Write(items.Count == 0 ? "]\n"u8 : "\n]\n"u8);
        output.WriteUtf8(buffer.WrittenSpan);
    }
}
