using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orchestrator.Services.Convoys;
using Orchestrator.Services.Demo;
using Orchestrator.Services.Fleet;
using Orchestrator.Services.Formulas;
using Orchestrator.Services.Knowledge;
using Orchestrator.Services.Ledger;
using Orchestrator.Services.Mail;
using Orchestrator.Services.Patrol;
using Orchestrator.Services.Planning;
using Orchestrator.Services.Refinery;
using Orchestrator.Services.Runtime;
using Orchestrator.Services.Witness;
using Orchestrator.Services.Workspace;
using Serilog;
using Serilog.Extensions.Logging;

namespace Orchestrator.Cli;

/// <summary>The one place where orc's parts are put together.</summary>
public static class Composition
{
    /// <remarks>
    /// Every service is made by a factory written here, never by the container's reflection: under
    /// NativeAOT, resolving a constructor by reflection, and above all an open generic such as
    /// <c>ILogger&lt;T&gt;</c>, builds types at run time, which cost a quarter of the CPU of an
    /// agent's <c>orc prime</c>. Nothing is made before a verb asks for it.
    /// </remarks>
    public static ServiceProvider Build(CliEnvironment env)
    {
        var services = new ServiceCollection();
        services.AddSingleton(env);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new WorkspaceContext(env.CurrentDirectory, env.Variable, sp.Get<TimeProvider>()));
        services.AddSingleton<Serilog.ILogger>(sp => CreateFileLogger(sp.Get<WorkspaceContext>()));
        services.AddSingleton<ILoggerFactory>(sp => new LoggerFactory(
            [new SerilogLoggerProvider(sp.Get<Serilog.ILogger>(), dispose: true)],
            new LoggerFilterOptions { MinLevel = LogLevel.Information }));
        var self = env.SelfArgv ?? Commands.SelfCommand.Argv();
        services.AddSingleton(sp => new LedgerService(sp.Get<WorkspaceContext>(), Log<LedgerService>(sp))
        {
            MergeDriverCommand = Commands.SelfCommand.MergeDriver(self),
        });
        services.AddSingleton(sp => new WorkspaceInitializer(Log<WorkspaceInitializer>(sp)));
        services.AddSingleton(sp => new RuntimeContext(sp.Get<WorkspaceContext>(), self));
        services.AddSingleton(sp => new RigService(sp.Get<RuntimeContext>(), sp.Get<LedgerService>()));
        services.AddSingleton(sp => new SlingService(sp.Get<RuntimeContext>(), sp.Get<LedgerService>(), Log<SlingService>(sp)));
        services.AddSingleton(sp => new AgentService(sp.Get<RuntimeContext>(), sp.Get<LedgerService>(), sp.Get<SlingService>()));
        services.AddSingleton(sp => new WorkService(sp.Get<RuntimeContext>(), sp.Get<LedgerService>(), sp.Get<MailService>(), sp.Get<FormulaService>()));
        services.AddSingleton(sp => new CrewService(sp.Get<RuntimeContext>(), sp.Get<LedgerService>(), sp.Get<SlingService>(), sp.Get<AgentService>(),
            Log<CrewService>(sp)));
        services.AddSingleton(sp => new MayorService(sp.Get<RuntimeContext>(), sp.Get<LedgerService>(), sp.Get<SlingService>(), sp.Get<AgentService>(),
            sp.Get<MailService>()));
        services.AddSingleton(sp => new SimAgent(sp.Get<WorkService>(), sp.Get<LedgerService>(), sp.Get<MailService>(), sp.Get<RuntimeContext>()));
        services.AddSingleton(sp => new RefineryService(sp.Get<RuntimeContext>(), sp.Get<LedgerService>(), sp.Get<AgentService>(), sp.Get<MailService>(),
            sp.Get<ConvoyService>(), Log<RefineryService>(sp)));
        services.AddSingleton(sp => new ReviewService(sp.Get<RuntimeContext>(), sp.Get<LedgerService>(), sp.Get<RefineryService>()));
        services.AddSingleton(sp => new ReviewerService(sp.Get<RuntimeContext>(), sp.Get<LedgerService>(), sp.Get<SlingService>(), Log<ReviewerService>(sp)));
        services.AddSingleton(sp => new PatrolLoop(sp.Get<RuntimeContext>(), Log<PatrolLoop>(sp)));
        services.AddSingleton(sp => new ServiceLauncher(sp.Get<RuntimeContext>(), sp.Get<MailService>(), Log<ServiceLauncher>(sp)));
        services.AddSingleton(sp => new DeaconService(sp.Get<RuntimeContext>(), sp.Get<LedgerService>(), sp.Get<AgentService>(), sp.Get<ServiceLauncher>(),
            sp.Get<ConvoyService>(), sp.Get<PlanService>(), sp.Get<MailService>(), sp.Get<SlingService>(), sp.Get<WitnessService>(), sp.Get<MayorService>(),
            sp.Get<ReviewerService>(), Log<DeaconService>(sp)));
        services.AddSingleton(sp => new BootService(sp.Get<ServiceLauncher>()));
        services.AddSingleton(sp => new WitnessService(sp.Get<RuntimeContext>(), sp.Get<AgentService>(), sp.Get<LedgerService>(), sp.Get<MailService>(),
            Log<WitnessService>(sp)));
        services.AddSingleton(sp => new MailService(sp.Get<RuntimeContext>(), sp.Get<LedgerService>(), sp.Get<AgentService>(), Log<MailService>(sp)));
        services.AddSingleton(sp => new PlanService(sp.Get<RuntimeContext>(), sp.Get<LedgerService>()));
        services.AddSingleton(sp => new ConvoyService(sp.Get<RuntimeContext>(), sp.Get<LedgerService>(), sp.Get<PlanService>(), sp.Get<MailService>(),
            sp.Get<SlingService>(), Log<ConvoyService>(sp)));
        services.AddSingleton(sp => new FormulaService(sp.Get<RuntimeContext>()));
        services.AddSingleton(sp => new MoleculeService(sp.Get<RuntimeContext>(), sp.Get<LedgerService>(), sp.Get<FormulaService>(), sp.Get<ConvoyService>(),
            Log<MoleculeService>(sp)));
        services.AddSingleton(sp => new LearningService(sp.Get<RuntimeContext>(), sp.Get<LedgerService>(), sp.Get<ConvoyService>()));
        services.AddSingleton(sp => new HandoffService(sp.Get<RuntimeContext>(), sp.Get<LedgerService>(), sp.Get<WorkService>(), sp.Get<SlingService>(),
            Log<HandoffService>(sp)));
        services.AddSingleton(sp => new ConfigService(sp.Get<RuntimeContext>(), sp.Get<LedgerService>()));
        services.AddSingleton(sp => new DoctorService(sp.Get<RuntimeContext>(), sp.Get<LedgerService>()));
        services.AddSingleton(sp => new FleetReader(sp.Get<RuntimeContext>(), sp.Get<LedgerService>(), sp.Get<MailService>(), sp.Get<ConvoyService>(),
            sp.Get<ServiceLauncher>()));
        services.AddSingleton(sp => new DemoScenario(sp.Get<WorkspaceInitializer>(), sp.Get<RuntimeContext>(), sp.Get<LedgerService>(), sp.Get<RigService>(),
            sp.Get<ConvoyService>(), sp.Get<ServiceLauncher>(), sp.Get<AgentService>()));
        return services.BuildServiceProvider();
    }

    private static T Get<T>(this IServiceProvider services) where T : notnull => services.GetRequiredService<T>();

    /// <summary>A logger for <typeparamref name="T"/>, made from the factory (a type known when orc is compiled).</summary>
    private static ILogger<T> Log<T>(IServiceProvider services) => new Logger<T>(services.Get<ILoggerFactory>());

    /// <summary>Logs go to <c>.orc/logs/orc-DATE.log</c> in the workspace, shared by all processes; never to the terminal.</summary>
    private static Serilog.ILogger CreateFileLogger(WorkspaceContext context)
    {
        var paths = context.TryPaths;
        if (paths is null) return Serilog.Core.Logger.None;
        try
        {
            Directory.CreateDirectory(paths.LogsDir);
            return new LoggerConfiguration()
                .MinimumLevel.Information()
                .Enrich.WithProperty("Pid", Environment.ProcessId)
                .WriteTo.File(Path.Combine(paths.LogsDir, "orc-.log"),
                    rollingInterval: RollingInterval.Day,
                    shared: true,
                    retainedFileCountLimit: 14,
                    outputTemplate: "{Timestamp:yyyy-MM-ddTHH:mm:ss.fffzzz} [{Level:u3}] pid={Pid} {SourceContext}: {Message:lj}{NewLine}{Exception}")
                .CreateLogger();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Serilog.Core.Logger.None; // a read-only workspace still answers reads
        }
    }
}
