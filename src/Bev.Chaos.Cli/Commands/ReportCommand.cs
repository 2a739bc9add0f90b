using System.CommandLine;
using System.Globalization;
using Bev.Chaos.Reporting;
using Bev.Chaos.Resilience;
using Spectre.Console;

namespace Bev.Chaos.Cli.Commands;

/// <summary><c>bev-chaos report JOURNAL.json --html FILE [--junit FILE]</c>: renders a resilience journal again.</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var journal = new Argument<string>("JOURNAL") { Description = "A resilience.json written by 'bev-chaos run --report' or 'bev-chaos demo'." };
        var html = new Option<string?>("--html") { Description = "Write the HTML report (SVG charts, per-phase table, verdict and score) here." };
        var junit = new Option<string?>("--junit") { Description = "Write JUnit XML (one test case per check) here." };
        var output = CliOptions.Output();
        var command = new Command("report", """
            Re-render the HTML and JUnit reports from a resilience journal; prints the verdicts.
            Exit codes: 0 every test passed, 1 a test failed, 2 a test could not run or bad input.
            Example: bev-chaos report reports/resilience.json --html report.html --junit junit.xml
            """)
        {
            journal, html, junit, output,
        };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(async token =>
        {
            var path = parse.GetValue(journal)!;
            if (parse.GetValue(html) is null && parse.GetValue(junit) is null)
            {
                throw new ChaosValidationException("--html", null, "a file to write (and/or --junit FILE)");
            }

            var reports = ReportJson.Read(path);
            if (parse.GetValue(html) is { } htmlFile)
            {
                await File.WriteAllTextAsync(htmlFile, HtmlReport.Render(reports), token).ConfigureAwait(false);
            }

            if (parse.GetValue(junit) is { } junitFile)
            {
                await File.WriteAllTextAsync(junitFile, JUnitReport.Render(reports), token).ConfigureAwait(false);
            }

            if (CommandRunner.IsJson(parse, output))
            {
                await Console.Out.WriteLineAsync(JsonOutput.Serialize(reports.Select(r => new { r.Name, verdict = r.Verdict.ToString().ToLowerInvariant(), score = r.Score?.Value, r.Reasons }))).ConfigureAwait(false);
            }
            else
            {
                Summarize(reports);
            }

            return reports.Any(r => r.Verdict == ResilienceVerdict.Error) ? ExitCodes.InvalidInput
                : reports.Any(r => r.Verdict == ResilienceVerdict.Failed) ? ExitCodes.Failure
                : ExitCodes.Success;
        }, ct));
        return command;
    }

    internal static void Summarize(IReadOnlyList<ResilienceReport> reports)
    {
        var table = new Table().AddColumns("test", "verdict", "score", "availability", "p99 baseline → failure", "detect", "recover", "failed checks");
        foreach (var r in reports)
        {
            var colour = r.Verdict switch { ResilienceVerdict.Passed => "green", ResilienceVerdict.Failed => "red", _ => "yellow" };
            var baseline = r.Phases.FirstOrDefault(p => p.Phase is ResilienceTester.Baseline or "baseline");
            var failure = r.Phases.FirstOrDefault(p => p.Phase is ResilienceTester.Failure or "injection");
            var availability = r.Checks.FirstOrDefault(c => c.Name == "availability")?.Detail.Split('%')[0];
            table.AddRow(
                Markup.Escape(r.Name),
                $"[{colour}]{r.Verdict.ToString().ToLowerInvariant()}[/]",
                r.Score?.Value.ToString("0.#", CultureInfo.InvariantCulture) ?? "-",
                availability is null ? "-" : Markup.Escape(availability + "%"),
                baseline is null || failure is null ? "-" : string.Create(CultureInfo.InvariantCulture, $"{baseline.P99Ms:0.##} → {failure.P99Ms:0.##} ms"),
                r.TimeToDetectMs is { } d ? $"{d:0} ms" : "-",
                r.TimeToRecoverMs is { } t ? $"{t:0} ms" : "-",
                Markup.Escape(string.Join("; ", r.Verdict == ResilienceVerdict.Error ? r.Reasons : r.Checks.Where(c => !c.Passed).Select(c => c.Name + ": " + c.Detail))));
        }

        AnsiConsole.Write(table);
        foreach (var r in reports.Where(r => r.AutoRecoveryResponseMs is not null))
        {
            AnsiConsole.MarkupLine($"{Markup.Escape(r.Name)}: auto-recovery system healthy {r.AutoRecoveryResponseMs:0} ms after the last removal");
        }
    }
}
