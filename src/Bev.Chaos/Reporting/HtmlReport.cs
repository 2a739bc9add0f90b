using System.Globalization;
using System.Net;
using System.Text;
using Bev.Chaos.Resilience;

namespace Bev.Chaos.Reporting;

/// <summary>
/// A self-contained HTML page per set of resilience tests: verdict and score first, then per test
/// two SVG charts (latency p50/p99 and error rate per second, fault windows shaded, phase
/// boundaries marked), the per-phase table, the checks, the statistics and the scenarios. No
/// scripts, no external files: it opens anywhere and can be attached to a ticket.
/// </summary>
public static class HtmlReport
{
    private const int Width = 900;
    private const int Height = 220;
    private const int Left = 56;
    private const int Right = 16;
    private const int Top = 14;
    private const int Bottom = 30;

    /// <summary>What "time to recover" means in every report, as the HTML report states it.</summary>
    public const string TimeToRecoverDefinition = "Time to recover: from the last fault's removal to the first of N consecutive healthy observations (an experiment: 3 probe rounds; a resilience test: the requests due in its sustained-success span).";

    /// <summary>The whole page for <paramref name="reports"/>: a summary table, then one section per test.</summary>
    public static string Render(IReadOnlyList<ResilienceReport> reports)
    {
        var html = new StringBuilder();
        html.Append("""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>BEV Chaos resilience report</title>
            <style>
            body{font-family:system-ui,sans-serif;margin:24px;color:#1d2330;background:#fafbfc;max-width:980px}
            h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-top:1px solid #dde;padding-top:16px}h3{font-size:15px}
            table{border-collapse:collapse;margin:8px 0;font-size:13px}td,th{border:1px solid #d5d9e0;padding:4px 8px;text-align:right}th{background:#eef1f5}td:first-child,th:first-child{text-align:left}
            .passed{color:#137333;font-weight:600}.failed{color:#b3261e;font-weight:600}.error{color:#8a4b00;font-weight:600}
            .score{font-size:28px;font-weight:700}.chart{background:#fff;border:1px solid #d5d9e0;margin:6px 0}
            .legend span{display:inline-block;margin-right:14px;font-size:12px}.swatch{display:inline-block;width:12px;height:12px;vertical-align:middle;margin-right:4px}
            ul{font-size:13px}
            </style></head><body>
            <h1>BEV Chaos resilience report</h1>
            """);
        html.Append(CultureInfo.InvariantCulture, $"<table><tr><th>test</th><th>verdict</th><th>score</th><th>availability</th><th>time to detect</th><th>time to recover</th></tr>");
        foreach (var report in reports)
        {
            var availability = report.Checks.FirstOrDefault(c => c.Name == "availability")?.Detail.Split('%')[0] ?? "–";
            html.Append(CultureInfo.InvariantCulture, $"<tr><td><a href=\"#{Id(report.Name)}\">{E(report.Name)}</a></td><td class=\"{Verdict(report)}\">{Verdict(report)}</td><td>{report.Score?.Value.ToString("0.#", CultureInfo.InvariantCulture) ?? "–"}</td><td>{E(availability)}%</td><td>{Ms(report.TimeToDetectMs)}</td><td>{Ms(report.TimeToRecoverMs)}</td></tr>");
        }

        html.Append("</table>");
        html.Append(CultureInfo.InvariantCulture, $"<p class=\"legend\">{E(TimeToRecoverDefinition)}</p>");
        foreach (var report in reports)
        {
            Section(html, report);
        }

        html.Append("</body></html>\n");
        return html.ToString();
    }

    private static void Section(StringBuilder html, ResilienceReport report)
    {
        html.Append(CultureInfo.InvariantCulture, $"<h2 id=\"{Id(report.Name)}\">{E(report.Name)} — <span class=\"{Verdict(report)}\">{Verdict(report)}</span></h2>");
        html.Append(CultureInfo.InvariantCulture, $"<p>{E(report.LoadUrl)} at {report.Rate:0.#} req/s, {report.Started:yyyy-MM-dd HH:mm:ss} to {report.Ended:HH:mm:ss} UTC.</p>");
        if (report.Score is { } score)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p><span class=\"score\">{score.Value:0.#}</span> / 100 &nbsp; = 50 × probe {score.ProbeTerm:0.###} + 30 × availability {score.AvailabilityTerm:0.###} + 20 × recovery {score.RecoveryTerm:0.###}</p>");
        }

        if (report.AutoRecoveryResponseMs is { } autoRecovery)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p>auto-recovery system healthy {Ms(autoRecovery)} after the last removal</p>");
        }

        html.Append("<ul>");
        foreach (var reason in report.Reasons)
        {
            html.Append(CultureInfo.InvariantCulture, $"<li>{E(reason)}</li>");
        }

        html.Append("</ul>");
        if (report.Series.Count > 0)
        {
            html.Append("<h3>Latency (ms) per second</h3>");
            html.Append(Chart(report, "latency", [(report.Series.Select(p => p.P50Ms).ToList(), "#3367d6", "p50"), (report.Series.Select(p => p.P99Ms).ToList(), "#e8710a", "p99")]));
            html.Append("<h3>Error rate (%) per second</h3>");
            html.Append(Chart(report, "errors", [(report.Series.Select(p => p.Requests == 0 ? 0 : 100.0 * p.Errors / p.Requests).ToList(), "#b3261e", "errors %")]));
            html.Append("<div class=\"legend\"><span><i class=\"swatch\" style=\"background:#f6c7c3\"></i>fault active</span><span><i class=\"swatch\" style=\"background:#3367d6\"></i>p50</span><span><i class=\"swatch\" style=\"background:#e8710a\"></i>p99</span><span><i class=\"swatch\" style=\"background:#b3261e\"></i>error rate</span><span>dashed lines: phase starts</span></div>");
        }

        html.Append("<h3>Phases</h3><table><tr><th>phase</th><th>seconds</th><th>requests</th><th>errors</th><th>availability %</th><th>req/s</th><th>p50 ms</th><th>p90 ms</th><th>p95 ms</th><th>p99 ms</th><th>max ms</th><th>p99 vs baseline</th></tr>");
        foreach (var p in report.Phases)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(p.Phase)}</td><td>{(p.Ended - p.Started).TotalSeconds:0.0}</td><td>{p.Requests}</td><td>{p.Errors}</td><td>{p.AvailabilityPercent:0.###}</td><td>{p.Throughput:0.#}</td><td>{p.P50Ms:0.##}</td><td>{p.P90Ms:0.##}</td><td>{p.P95Ms:0.##}</td><td>{p.P99Ms:0.##}</td><td>{p.MaxMs:0.##}</td><td>{(p.P99DegradationPercent is { } d ? d.ToString("+0.#;-0.#;0", CultureInfo.InvariantCulture) + "%" : "–")}</td></tr>");
        }

        html.Append("</table><h3>Checks</h3><table><tr><th>check</th><th>result</th><th>detail</th></tr>");
        foreach (var c in report.Checks)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(c.Name)}</td><td class=\"{(c.Passed ? "passed" : "failed")}\">{(c.Passed ? "held" : "failed")}</td><td style=\"text-align:left\">{E(c.Detail)}</td></tr>");
        }

        html.Append("</table><h3>Statistics (one-sided Mann–Whitney U)</h3><table><tr><th>compared</th><th>n</th><th>median shift ms</th><th>effect (rank-biserial)</th><th>p</th><th>slower?</th></tr>");
        foreach (var c in report.Comparisons)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(c.Other)} vs {E(c.Baseline)}</td><td>{c.OtherCount} / {c.BaselineCount}</td><td>{c.MedianShiftMs:+0.###;-0.###;0}</td><td>{c.EffectSize:0.###}</td><td>{c.PValue:0.####}</td><td>{(c.Higher ? "yes" : "no")}</td></tr>");
        }

        html.Append("</table>");
        if (report.Scenarios.Count > 0)
        {
            html.Append("<h3>Failure scenarios</h3><table><tr><th>scenario</th><th>experiment</th><th>verdict</th><th>weight</th><th>availability during faults %</th><th>time to recover (probes)</th></tr>");
            foreach (var s in report.Scenarios)
            {
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(s.Name)}</td><td>{E(s.ExperimentId)}</td><td>{E(s.ExperimentVerdict)}</td><td>{s.Weight:0.##}</td><td>{s.AvailabilityPercent:0.###}</td><td>{Ms(s.TimeToRecoverMs)}</td></tr>");
            }

            html.Append("</table>");
        }

        if (report.Faults.Count > 0)
        {
            html.Append("<h3>Faults</h3><table><tr><th>fault</th><th>injector</th><th>target</th><th>injected</th><th>removed</th></tr>");
            foreach (var f in report.Faults)
            {
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(f.FaultId)}</td><td>{E(f.InjectorName)}</td><td>{E(f.TargetService)}</td><td>{f.InjectedAt:HH:mm:ss.fff}</td><td>{(f.RemovedAt is { } r ? r.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture) : "–")}</td></tr>");
            }

            html.Append("</table>");
        }
    }

    private static string Chart(ResilienceReport report, string kind, IReadOnlyList<(List<double> Values, string Color, string Label)> lines)
    {
        var seconds = Math.Max(1, (report.Ended - report.Started).TotalSeconds);
        var max = Math.Max(kind == "errors" ? 1 : 0.001, lines.SelectMany(l => l.Values).DefaultIfEmpty(0).Max()) * 1.1;
        double X(double second) => Left + (Width - Left - Right) * Math.Clamp(second / seconds, 0, 1);
        double Y(double value) => Top + (Height - Top - Bottom) * (1 - Math.Clamp(value / max, 0, 1));
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg class=\"chart\" data-chart=\"{kind}\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"{kind} over time\">");
        foreach (var fault in report.Faults)
        {
            var from = (fault.InjectedAt - report.Started).TotalSeconds;
            var to = ((fault.RemovedAt ?? report.Ended) - report.Started).TotalSeconds;
            svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"fault-window\" x=\"{X(from):0.#}\" y=\"{Top}\" width=\"{Math.Max(1, X(to) - X(from)):0.#}\" height=\"{Height - Top - Bottom}\" fill=\"#f6c7c3\" opacity=\"0.6\"><title>{E(fault.InjectorName)} on {E(fault.TargetService)}</title></rect>");
        }

        foreach (var phase in report.Phases.Where(p => p.Phase is not (ResilienceTester.Preparation or ResilienceTester.Analysis)))
        {
            var x = X((phase.Started - report.Started).TotalSeconds);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{x:0.#}\" x2=\"{x:0.#}\" y1=\"{Top}\" y2=\"{Height - Bottom}\" stroke=\"#8893a4\" stroke-dasharray=\"4 3\"/><text x=\"{x + 3:0.#}\" y=\"{Top + 10}\" font-size=\"10\" fill=\"#5b6578\">{E(phase.Phase)}</text>");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Left}\" y1=\"{Top}\" y2=\"{Height - Bottom}\" stroke=\"#333\"/><line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{Height - Bottom}\" y2=\"{Height - Bottom}\" stroke=\"#333\"/>");
        for (var tick = 0; tick <= 4; tick++)
        {
            var value = max / 1.1 * tick / 4;
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{Y(value) + 4:0.#}\" font-size=\"10\" text-anchor=\"end\">{value:0.##}</text>");
        }

        var step = Math.Max(1, Math.Ceiling(seconds / 10));
        for (var s = 0.0; s <= seconds; s += step)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{X(s):0.#}\" y=\"{Height - Bottom + 14}\" font-size=\"10\" text-anchor=\"middle\">{s:0}s</text>");
        }

        foreach (var (values, color, label) in lines)
        {
            var points = string.Join(' ', report.Series.Select((p, i) => string.Create(CultureInfo.InvariantCulture, $"{X(p.Second + 0.5):0.#},{Y(values[i]):0.#}")));
            svg.Append(CultureInfo.InvariantCulture, $"<polyline class=\"series\" data-series=\"{E(label)}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"1.6\" points=\"{points}\"/>");
        }

        svg.Append("</svg>");
        return svg.ToString();
    }

    private static string Verdict(ResilienceReport report) => report.Verdict.ToString().ToLowerInvariant();

    private static string Ms(double? ms) => ms is { } v ? v.ToString("0", CultureInfo.InvariantCulture) + " ms" : "–";

    private static string Id(string name) => "t-" + new string(name.Select(c => char.IsLetterOrDigit(c) ? c : '-').ToArray());

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
