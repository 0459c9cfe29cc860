using System.Text.Json.Serialization;

namespace Orchestrator.Cli.Output.Json;

/// <summary>
/// What <c>--json</c> prints, as typed view records serialised by the source generator (no
/// reflection; works under NativeAOT). Fields are snake_case; a null field is left out unless its
/// property says otherwise. docs/cli.md's "shape" tables are checked against these types.
/// Items keep the ledger's own shape (<see cref="JsonOut.Items"/>), byte for byte.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(WorkItemConverter)])]
[JsonSerializable(typeof(PlanJson))]
[JsonSerializable(typeof(ConvoyJson))]
[JsonSerializable(typeof(List<ConvoyJson>))]
[JsonSerializable(typeof(ConvoyReportJson))]
[JsonSerializable(typeof(List<FormulaEntryJson>))]
[JsonSerializable(typeof(FormulaJson))]
[JsonSerializable(typeof(MoleculeProgressJson))]
[JsonSerializable(typeof(List<MoleculeProgressJson>))]
[JsonSerializable(typeof(MoleculeJson))]
[JsonSerializable(typeof(PouredJson))]
[JsonSerializable(typeof(SubmissionJson))]
[JsonSerializable(typeof(List<SubmissionJson>))]
[JsonSerializable(typeof(List<ReviewJson>))]
[JsonSerializable(typeof(ReviewDetailJson))]
[JsonSerializable(typeof(List<ServiceJson>))]
[JsonSerializable(typeof(RigJson))]
[JsonSerializable(typeof(List<RigJson>))]
[JsonSerializable(typeof(MessageJson))]
[JsonSerializable(typeof(List<MessageJson>))]
[JsonSerializable(typeof(LearningJson))]
[JsonSerializable(typeof(List<LearningJson>))]
[JsonSerializable(typeof(HookJson))]
[JsonSerializable(typeof(List<HookJson>))]
[JsonSerializable(typeof(QueuedJson))]
[JsonSerializable(typeof(List<QueuedJson>))]
[JsonSerializable(typeof(MayorJson))]
[JsonSerializable(typeof(StatsJson))]
[JsonSerializable(typeof(DepTreeJson))]
[JsonSerializable(typeof(HistoryJson))]
[JsonSerializable(typeof(ItemCommentJson))]
[JsonSerializable(typeof(List<LabelCountJson>))]
[JsonSerializable(typeof(ImportSummaryJson))]
[JsonSerializable(typeof(List<SettingJson>))]
[JsonSerializable(typeof(DoctorJson))]
internal sealed partial class CliJsonContext : JsonSerializerContext
{
    /// <summary>docs/cli.md's shape names and the types that print them (the docs tests compare their fields).</summary>
    public static readonly IReadOnlyDictionary<string, Type> Shapes = new Dictionary<string, Type>
    {
        ["convoy"] = typeof(ConvoyJson),
        ["convoy-report"] = typeof(ConvoyReportJson),
        ["plan"] = typeof(PlanJson),
        ["formula-entry"] = typeof(FormulaEntryJson),
        ["formula"] = typeof(FormulaJson),
        ["molecule-progress"] = typeof(MoleculeProgressJson),
        ["molecule"] = typeof(MoleculeJson),
        ["poured"] = typeof(PouredJson),
        ["submission"] = typeof(SubmissionJson),
        ["review"] = typeof(ReviewJson),
        ["review-detail"] = typeof(ReviewDetailJson),
        ["service"] = typeof(ServiceJson),
        ["rig"] = typeof(RigJson),
        ["message"] = typeof(MessageJson),
        ["learning"] = typeof(LearningJson),
        ["hook"] = typeof(HookJson),
        ["queued"] = typeof(QueuedJson),
        ["mayor"] = typeof(MayorJson),
        ["stats"] = typeof(StatsJson),
        ["dep-tree"] = typeof(DepTreeJson),
        ["history"] = typeof(HistoryJson),
        ["comment"] = typeof(ItemCommentJson),
        ["label-count"] = typeof(LabelCountJson),
        ["import-summary"] = typeof(ImportSummaryJson),
        ["setting"] = typeof(SettingJson),
        ["doctor"] = typeof(DoctorJson),
    };
}
