using System.CommandLine;
using System.Runtime.InteropServices;
using Bev.Chaos.Cli.Commands;
using Spectre.Console;

namespace Bev.Chaos.Cli;

/// <summary>The <c>bev-chaos</c> command line.</summary>
internal static class BevChaosCli
{
    public static RootCommand Build()
    {
        var root = new RootCommand("""
            BEV Chaos — inject real faults into real services, measure them, and always remove them again.
            Start with: bev-chaos demo
            """);
        CliOptions.AddTo(root);
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(InjectCommand.Create());
        root.Subcommands.Add(FaultsCommand.Create());
        root.Subcommands.Add(RemoveCommand.Create());
        root.Subcommands.Add(EmergencyStopCommand.Create());
        root.Subcommands.Add(ProxyCommand.Create());
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(ReportCommand.Create());
        root.Subcommands.Add(AgentCommand.Create());
        root.Subcommands.Add(ScenariosCommand.Create());
        root.Subcommands.Add(ScenariosCommand.CreateSuites());
        root.Subcommands.Add(ScheduleCommand.Create());
        root.Subcommands.Add(LoadCommand.Create());
        return root;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        StartupTrace.Mark("main");
        ConfigureConsole();
        var root = Build();
        StartupTrace.Mark("commands built");
        var parse = root.Parse(args);
        StartupTrace.Mark("parsed");
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await Console.Error.WriteLineAsync("bev-chaos: " + error.Message).ConfigureAwait(false);
            }

            await Console.Error.WriteLineAsync("Try 'bev-chaos --help'.").ConfigureAwait(false);
            return ExitCodes.InvalidInput;
        }

        // Ctrl-C and SIGTERM cancel the command, which then removes its faults and exits 0
        // (System.CommandLine's own handler would report 130).
        using var stopping = new CancellationTokenSource();
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stopping.Cancel();
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, stopping.Token).ConfigureAwait(false);
    }

    /// <summary>True when stdout is not a terminal or NO_COLOR is set: output is plain text, no colors or live displays.</summary>
    public static bool PlainOutput { get; private set; }

    // Colors and live displays only on a terminal (and never with NO_COLOR); plain lines otherwise.
    private static void ConfigureConsole()
    {
        var redirected = Console.IsOutputRedirected;
        var noColor = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));
        PlainOutput = redirected || noColor;
        if (redirected || noColor)
        {
            AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Ansi = redirected ? AnsiSupport.No : AnsiSupport.Detect,
                ColorSystem = ColorSystemSupport.NoColors,
                Interactive = redirected ? InteractionSupport.No : InteractionSupport.Detect,
            });
            if (redirected)
            {
                AnsiConsole.Profile.Width = 200;
            }
        }
    }
}
