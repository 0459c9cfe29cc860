using System.Text.Json.Serialization;
using Orchestrator.Core.Agents;
using Orchestrator.Core.Convoys;
using Orchestrator.Core.Mail;
using Orchestrator.Core.Events;
using Orchestrator.Core.Formulas;
using Orchestrator.Core.Merging;

namespace Orchestrator.Adapters.Storage;

/// <summary>Source-generated JSON for orc's own records (no reflection: works under NativeAOT).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip)]
[JsonSerializable(typeof(Hook))]
[JsonSerializable(typeof(Submission))]
[JsonSerializable(typeof(Heartbeat))]
[JsonSerializable(typeof(DispatchEntry))]
[JsonSerializable(typeof(Orchestrator.Core.Supervision.SupervisionRecord))]
[JsonSerializable(typeof(Message))]
[JsonSerializable(typeof(List<Message>))]
[JsonSerializable(typeof(PendingNudge))]
[JsonSerializable(typeof(Convoy))]
[JsonSerializable(typeof(ConvoyReport))]
[JsonSerializable(typeof(Wisp))]
public partial class OrcJsonContext : JsonSerializerContext;
