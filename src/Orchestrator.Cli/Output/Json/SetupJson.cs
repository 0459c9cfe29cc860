namespace Orchestrator.Cli.Output.Json;

/// <summary>shape <c>setting</c>: one setting of <c>orc config list</c>.</summary>
internal sealed record SettingJson(string Key, string Value, string Source, string? File, string Type, string Default);

/// <summary>shape <c>doctor</c>: <c>orc doctor</c>.</summary>
internal sealed record DoctorJson(bool Healthy, List<DoctorCheckJson> Checks);

internal sealed record DoctorCheckJson(string Check, string Status, string Message, string? Fix);
