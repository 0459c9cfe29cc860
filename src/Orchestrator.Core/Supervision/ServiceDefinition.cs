namespace Orchestrator.Core.Supervision;

/// <summary>
/// One of the workspace's services, the one place its names are made: boot and the deacon, and a
/// refinery and a witness per rig. Its <see cref="Name"/> (<c>refinery@app</c>) is what the feed
/// and <c>orc status</c> show; it runs as <c>orc ARGS</c> in window <see cref="Window"/> of the
/// <see cref="Session"/> session, beats in <c>.orc/run/HEARTBEAT.json</c> and holds
/// <c>.orc/locks/LOCK</c> while it runs. The launcher, <c>orc status</c>, the deacon, boot and the
/// TUI all read services from here.
/// </summary>
public sealed record ServiceDefinition(string Name, string Role, string? Rig, string Window)
{
    /// <summary>The orc arguments that run it: <c>ROLE run [RIG]</c>.</summary>
    public IReadOnlyList<string> Args => Rig is null ? [Role, "run"] : [Role, "run", Rig];

    /// <summary>The tmux session of the workspace's services (and the mayor).</summary>
    public const string Session = "orc";

    public const string Boot = "boot";
    public const string Deacon = "deacon";
    public const string Refinery = "refinery";
    public const string Witness = "witness";

    /// <summary>The key of its heartbeat and supervision records (no '@' in file names).</summary>
    public string RecordKey => Rig is null ? Role : $"{Role}-{Rig}";

    /// <summary>The file name of its one-instance lock in <c>.orc/locks</c>.</summary>
    public string LockFile => RecordKey + ".lock";

    /// <summary>Who restarts it when it dies: boot restarts the deacon, the deacon the rigs' services; nobody restarts boot (<c>orc up</c> does).</summary>
    public string? Supervisor => Role switch { Deacon => Boot, Refinery or Witness => Deacon, _ => null };

    public static ServiceDefinition ForBoot() => new(Boot, Boot, null, Boot);
    public static ServiceDefinition ForDeacon() => new(Deacon, Deacon, null, Deacon);
    public static ServiceDefinition ForRefinery(string rig) => new($"{Refinery}@{rig}", Refinery, rig, $"{Refinery}-{rig}");
    public static ServiceDefinition ForWitness(string rig) => new($"{Witness}@{rig}", Witness, rig, $"{Witness}-{rig}");

    /// <summary>Every service of a workspace with these rigs: boot, the deacon, then each rig's refinery and witness.</summary>
    public static List<ServiceDefinition> All(IEnumerable<string> rigs)
    {
        var list = new List<ServiceDefinition> { ForBoot(), ForDeacon() };
        foreach (var rig in rigs)
        {
            list.Add(ForRefinery(rig));
            list.Add(ForWitness(rig));
        }
        return list;
    }

    /// <summary>The definition a service name (<c>deacon</c>, <c>refinery@app</c>) stands for, or null.</summary>
    public static ServiceDefinition? Parse(string name)
    {
        var at = name.IndexOf('@');
        var role = at < 0 ? name : name[..at];
        var rig = at < 0 ? null : name[(at + 1)..];
        return (role, rig) switch
        {
            (Boot, null) => ForBoot(),
            (Deacon, null) => ForDeacon(),
            (Refinery, { Length: > 0 } r) => ForRefinery(r),
            (Witness, { Length: > 0 } r) => ForWitness(r),
            _ => null,
        };
    }

    /// <summary>The service name of a per-rig role (<c>refinery@app</c>), as events and heartbeats name it.</summary>
    public static string NameOf(string role, string? rig) => rig is null ? role : $"{role}@{rig}";
}
