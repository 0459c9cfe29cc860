using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Cli.Output;
using Orchestrator.Cli.Output.Json;
using Orchestrator.Core.Text;
using Orchestrator.Services.Workspace;

namespace Orchestrator.Cli.Commands;

/// <summary><c>orc config get | set | list</c>: the workspace's and the user's settings.</summary>
internal static class ConfigCommands
{
    public static Command Build(IServiceProvider services)
    {
        var config = new Command("config", "Settings: the workspace's .orc/config.yaml over the user's ~/.config/orc/config.yaml over the defaults");
        ConfigService Config() => services.GetRequiredService<ConfigService>();
        Option<bool> User() => new("--user") { Description = "The user's own file ($XDG_CONFIG_HOME/orc/config.yaml), the defaults for every workspace" };

        var getKey = KeyArgument();
        var getUser = User();
        var get = new Command("get", "Print the value in effect of one setting") { getKey, getUser };
        get.SetAction(pr =>
        {
            var v = new Verb(services);
            var e = Config().Get(pr.GetValue(getKey)!, pr.GetValue(getUser));
            v.Out.WriteLine(TerminalText.Line(e.Value));
            return 0;
        });
        config.Add(get);

        var setKey = KeyArgument();
        var setValue = new Argument<string>("VALUE") { Description = "Its new value (a list: comma-separated)" };
        var setUser = User();
        var set = new Command("set", "Change one setting (the workspace's file is committed; comments in it are kept)") { setKey, setValue, setUser };
        set.SetAction(pr =>
        {
            var v = new Verb(services);
            var c = Config().Set(pr.GetValue(setKey)!, pr.GetValue(setValue)!, pr.GetValue(setUser));
            var where = pr.GetValue(setUser) ? "user config" : "workspace config";
            v.Out.WriteLine(c.Changed
                ? $"{where}: {c.Key} changed from '{TerminalText.Line(c.Before)}' to '{TerminalText.Line(c.After)}'"
                : $"{where}: {c.Key} is already '{TerminalText.Line(c.After)}'; nothing changed");
            return 0;
        });
        config.Add(set);

        var listUser = User();
        var json = Options.Json();
        var noHeaders = Options.NoHeaders();
        var list = new Command("list", "List every setting, its value and where it comes from (default, user, workspace)") { listUser, json, noHeaders };
        list.SetAction(pr =>
        {
            var v = new Verb(services);
            var entries = Config().List(pr.GetValue(listUser));
            if (pr.GetValue(json))
            {
                JsonOut.Write(v.Env, entries.Select(e => new SettingJson(e.Key.Key, e.Value, Source(e.From), e.File, e.Key.Type, e.Key.Default)).ToList(),
                    CliJsonContext.Default.ListSettingJson);
                return 0;
            }
            var table = new Output.Table(new("KEY"), new("VALUE", Text: true), new("FROM"));
            foreach (var e in entries) table.Add(e.Key.Key, TerminalText.Line(e.Value), Source(e.From));
            v.Print(table, pr.GetValue(noHeaders));
            return 0;
        });
        config.Add(list);
        return config;
    }

    private static Argument<string> KeyArgument()
    {
        var key = new Argument<string>("KEY") { Description = "The setting: " + Adapters.Workspace.ConfigKeys.Known, HelpName = "KEY" };
        key.CompletionSources.Add(Adapters.Workspace.ConfigKeys.All.Select(k => k.Key).ToArray());
        return key;
    }

    private static string Source(ConfigService.Source s) => s switch
    {
        ConfigService.Source.Workspace => "workspace",
        ConfigService.Source.User => "user",
        _ => "default",
    };
}
