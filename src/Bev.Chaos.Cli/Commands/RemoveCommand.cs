using System.CommandLine;
using Spectre.Console;

namespace Bev.Chaos.Cli.Commands;

/// <summary><c>bev-chaos remove FAULT_ID</c>: reverts one fault, whichever engine holds it.</summary>
internal static class RemoveCommand
{
    public static Command Create()
    {
        var id = new Argument<string>("FAULT_ID") { Description = "The fault to remove (see 'bev-chaos faults')." };
        var server = CliOptions.Server();
        var bearer = CliOptions.Token();
        var command = new Command("remove", """
            Remove one active fault, whichever bev-chaos process holds it.
            Example: bev-chaos remove cpu_stress-3f2a9c1b7e44
            """)
        {
            id, server, bearer,
        };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(async token =>
        {
            using var remote = ServerClient.From(parse.GetValue(server), parse.GetValue(bearer));
            if (remote is not null)
            {
                await remote.SendAsync(HttpMethod.Delete, "/faults/" + Uri.EscapeDataString(parse.GetValue(id)!), null, token).ConfigureAwait(false);
                AnsiConsole.MarkupLine($"[green]removed[/] {Markup.Escape(parse.GetValue(id)!)}");
                return ExitCodes.Success;
            }

            await using var session = await EngineSession.OpenAsync(parse, token).ConfigureAwait(false);
            var faultId = parse.GetValue(id)!;
            if (!await session.Manager.RemoveFaultAsync(faultId, token).ConfigureAwait(false))
            {
                throw new ChaosValidationException("FAULT_ID", faultId, "the id of an active fault (see 'bev-chaos faults')");
            }

            AnsiConsole.MarkupLine($"[green]removed[/] {Markup.Escape(faultId)}");
            return ExitCodes.Success;
        }, ct));
        return command;
    }
}
