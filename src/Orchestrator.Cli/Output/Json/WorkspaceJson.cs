using System.Text.Json.Serialization;
using Orchestrator.Core.Knowledge;
using Orchestrator.Core.Mail;
using Orchestrator.Core.Rigs;

namespace Orchestrator.Cli.Output.Json;

/// <summary>shape <c>rig</c>: <c>orc rig list</c>, <c>orc rig show</c>.</summary>
internal sealed record RigJson(
    string Name, string Source, bool Linked, string Prefix, string DefaultBranch, string Gate, string? Profile, int MaxPolecats, int GateTimeout, int Batch,
    string Land, bool Push, string? ReviewAgent, int StuckAfter, int MaxRestarts, int Grace, bool NudgeIdle, bool RestartDead, string? CreatedAt)
{
    public static RigJson From(Rig r) =>
        new(r.Name, r.Source, r.Linked, r.Prefix, r.DefaultBranch, r.Gate, r.Profile, r.MaxPolecats, r.GateTimeoutSeconds, r.Batch,
            r.Land, r.Push, r.ReviewAgent, r.StuckAfterSeconds, r.MaxRestarts, r.GraceSeconds, r.NudgeIdle, r.RestartDead, r.CreatedAt);
}

/// <summary>shape <c>message</c>: <c>orc mail inbox</c>, <c>read</c>, and <c>send</c>/<c>reply</c> with how each was delivered.</summary>
internal sealed record MessageJson(
    string Id, [property: JsonPropertyName("from")] string Sender, string To, string Box, string Subject, string? Body, string SentAt, string Thread,
        string? ReplyTo, string? Item,
    bool Read, string? ReadAt, string? ArchivedAt, string? Delivery)
{
    public static MessageJson From(Message m, string? delivery = null) =>
        new(m.Id, m.From, m.To, m.Box, m.Subject, m.Body, m.SentAt, m.Thread, m.ReplyTo, m.Item, m.IsRead, m.ReadAt, m.ArchivedAt, delivery);
}

/// <summary>shape <c>learning</c>: <c>orc learn add</c>, <c>list</c>, and <c>from-convoy</c> with each one's status.</summary>
internal sealed record LearningJson(
    string? Id, string Text, string Scope, string? Rig, string? Role, List<string> Tags, string CreatedAt, string? CreatedBy, string? Source, string? Item,
        string? Status)
{
    public static LearningJson From(Learning l, string? status = null) =>
        new(l.Id.Length > 0 ? l.Id : null, l.Text, l.Scope, l.Rig, l.Role, l.Tags, l.CreatedAt, l.CreatedBy, l.Source, l.Item, status);
}
