using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orchestrator.Services.Ledger;
using Orchestrator.Services.Runtime;
using Orchestrator.Services.Workspace;
using Serilog;
using Serilog.Extensions.Logging;

namespace Orchestrator.Cli;

/// <summary>The one place where orc's parts are put together.</summary>
public static class Composition
{
    public static ServiceProvider Build(CliEnvironment env)
    {
        var services = new ServiceCollection();
        services.AddSingleton(env);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new WorkspaceContext(env.CurrentDirectory, env.Variable, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<Serilog.ILogger>(sp => CreateFileLogger(sp.GetRequiredService<WorkspaceContext>()));
        services.AddLogging(b => b.ClearProviders().SetMinimumLevel(LogLevel.Information));
        services.AddSingleton<ILoggerProvider>(sp => new SerilogLoggerProvider(sp.GetRequiredService<Serilog.ILogger>(), dispose: true));
        services.AddSingleton(sp => new LedgerService(sp.GetRequiredService<WorkspaceContext>(), sp.GetRequiredService<ILogger<LedgerService>>())
        {
            MergeDriverCommand = Commands.SelfCommand.MergeDriver(env.SelfArgv ?? Commands.SelfCommand.Argv()),
        });
        services.AddSingleton<WorkspaceInitializer>();
        services.AddSingleton(sp => new RuntimeContext(sp.GetRequiredService<WorkspaceContext>(), env.SelfArgv ?? Commands.SelfCommand.Argv()));
        services.AddSingleton<RigService>();
        services.AddSingleton<SlingService>();
        services.AddSingleton<AgentService>();
        services.AddSingleton<WorkService>();
        services.AddSingleton<CrewService>();
        services.AddSingleton<MayorService>();
        services.AddSingleton<SimAgent>();
        services.AddSingleton<Orchestrator.Services.Refinery.RefineryService>();
        services.AddSingleton<Orchestrator.Services.Refinery.ReviewService>();
        services.AddSingleton<Orchestrator.Services.Refinery.ReviewerService>();
        services.AddSingleton<Orchestrator.Services.Patrol.PatrolLoop>();
        services.AddSingleton<Orchestrator.Services.Patrol.ServiceLauncher>();
        services.AddSingleton<Orchestrator.Services.Patrol.DeaconService>();
        services.AddSingleton<Orchestrator.Services.Patrol.BootService>();
        services.AddSingleton<Orchestrator.Services.Witness.WitnessService>();
        services.AddSingleton<Orchestrator.Services.Mail.MailService>();
        services.AddSingleton<Orchestrator.Services.Planning.PlanService>();
        services.AddSingleton<Orchestrator.Services.Convoys.ConvoyService>();
        services.AddSingleton<Orchestrator.Services.Formulas.FormulaService>();
        services.AddSingleton<Orchestrator.Services.Formulas.MoleculeService>();
        services.AddSingleton<Orchestrator.Services.Knowledge.LearningService>();
        services.AddSingleton<HandoffService>();
        services.AddSingleton<ConfigService>();
        services.AddSingleton<DoctorService>();
        services.AddSingleton<Orchestrator.Services.Fleet.FleetReader>();
        services.AddSingleton<Orchestrator.Services.Demo.DemoScenario>();
        return services.BuildServiceProvider();
    }

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
