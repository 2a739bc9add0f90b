using System.CommandLine;
using Bev.Chaos.Faults;
using Bev.Chaos.Faults.Journal;
using Bev.Chaos.Persistence;
using Spectre.Console;

namespace Bev.Chaos.Cli.Commands;

/// <summary><c>bev-chaos faults</c>: the open faults of every engine, from the journal; <c>--injectors</c>: the fault types.</summary>
internal static class FaultsCommand
{
    public static Command Create()
    {
        var output = CliOptions.Output();
        var server = CliOptions.Server();
        var bearer = CliOptions.Token();
        var injectors = new Option<bool>("--injectors") { Description = "List the fault types with their parameters and profiles instead." };
        var command = new Command("faults", """
            List active faults (of every engine on this data directory), or with --injectors the fault types.
            Example: bev-chaos faults --output json
            """)
        {
            output, injectors, server, bearer,
        };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(async token =>
        {
            using var remote = ServerClient.From(parse.GetValue(server), parse.GetValue(bearer));
            if (remote is not null && !parse.GetValue(injectors))
            {
                var list = await remote.SendAsync(HttpMethod.Get, "/faults", null, token).ConfigureAwait(false);
                await Console.Out.WriteLineAsync(list?.ToJsonString(JsonOutput.Options) ?? "[]").ConfigureAwait(false);
                return ExitCodes.Success;
            }

            var json = CommandRunner.IsJson(parse, output);
            if (!parse.GetValue(injectors) && await EngineSession.JournalHasNoOpenFaultsAsync(parse, token).ConfigureAwait(false))
            {
                // Nothing open: the engine (its injectors, Docker client, supervisor) would only be built
                // to say so, and the JSON serializer only started to write what it writes for no faults.
                if (json)
                {
                    await Console.Out.WriteLineAsync("[]").ConfigureAwait(false);
                }
                else
                {
                    PrintFaults([], json);
                }

                StartupTrace.Mark("printed");
                return ExitCodes.Success;
            }

            await using var session = await EngineSession.OpenAsync(parse, token).ConfigureAwait(false);
            StartupTrace.Mark("engine open");
            if (parse.GetValue(injectors))
            {
                PrintInjectors(session.Manager, json);
                return ExitCodes.Success;
            }

            var entries = await session.Journal.ListOpenAsync(token).ConfigureAwait(false);
            StartupTrace.Mark("journal read");
            PrintFaults(entries, json);
            StartupTrace.Mark("printed");
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static void PrintFaults(IReadOnlyList<JournalEntry> entries, bool json)
    {
        var now = TimeProvider.System.GetUtcNow();
        if (json)
        {
            Console.Out.WriteLine(JsonOutput.Serialize(entries.Select(e => new
            {
                fault_id = e.FaultId,
                injector_name = e.Injector,
                target_service = e.Target,
                profile_name = e.Profile,
                state = e.State,
                parameters = System.Text.Json.JsonDocument.Parse(e.ParametersJson).RootElement,
                created_at = e.CreatedAt,
                expires_at = e.ExpiresAt,
                seconds_left = Math.Max(0, (e.ExpiresAt - now).TotalSeconds),
                owner_pid = e.Owner.Pid,
            })));
            return;
        }

        if (entries.Count == 0)
        {
            if (BevChaosCli.PlainOutput)
            {
                // The same line Spectre.Console writes without colors, without paying for its start-up.
                Console.Out.WriteLine("no active faults");
            }
            else
            {
                AnsiConsole.MarkupLine("[grey]no active faults[/]");
            }

            return;
        }

        var table = new Table().AddColumns("fault id", "injector", "target", "state", "time left", "owner pid", "parameters");
        foreach (var e in entries)
        {
            table.AddRow(Markup.Escape(e.FaultId), e.Injector, Markup.Escape(e.Target), e.State.ToString().ToLowerInvariant(),
                DurationText.Format(TimeSpan.FromSeconds(Math.Ceiling(Math.Max(0, (e.ExpiresAt - now).TotalSeconds)))), e.Owner.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), Markup.Escape(e.ParametersJson));
        }

        AnsiConsole.Write(table);
    }

    private static void PrintInjectors(FaultInjectionManager manager, bool json)
    {
        var injectors = manager.Injectors.Values.OrderBy(i => i.Name, StringComparer.Ordinal).ToList();
        if (json)
        {
            Console.Out.WriteLine(JsonOutput.Serialize(injectors.Select(InjectorSummary.Of)));
            return;
        }

        var table = new Table().AddColumns("injector", "category", "parameters (default, bounds)", "profiles");
        foreach (var i in injectors)
        {
            var parameters = string.Join("\n", i.Parameters.Select(p => $"{p.Name}={p.Default ?? "-"} {(p.Min is not null ? $"[{p.Min}..{p.Max}]" : p.AllowedValues is not null ? "{" + string.Join("|", p.AllowedValues) + "}" : string.Empty)}"));
            table.AddRow(i.Name, i.Category.ToString().ToLowerInvariant(), Markup.Escape(parameters), string.Join("\n", i.Profiles.Keys));
        }

        AnsiConsole.Write(table);
    }
}
