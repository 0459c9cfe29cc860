using System.Text.Json;
using System.Text.Json.Serialization;
using Orchestrator.Core.Items;
using Orchestrator.Core.Ledger;

namespace Orchestrator.Cli.Output.Json;

/// <summary>A work item inside a view prints in the ledger's own shape (<see cref="LedgerCodec.WriteItem"/>), as <c>orc item show</c> does.</summary>
internal sealed class WorkItemConverter : JsonConverter<WorkItem>
{
    public override WorkItem Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("views are only written");

    public override void Write(Utf8JsonWriter writer, WorkItem value, JsonSerializerOptions options) => LedgerCodec.WriteItem(writer, value);
}
