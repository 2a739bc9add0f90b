using MathNet.Numerics.Distributions;

namespace Bev.Chaos.Resilience;

/// <summary>
/// Whether one phase's latencies are higher than another's: a one-sided Mann–Whitney U test
/// (normal approximation with tie correction) for significance, and the rank-biserial correlation
/// and the shift of the median for size. Latency samples are many and serially correlated, so a
/// p-value alone calls trivial drifts "significant"; the verdict therefore needs both
/// <c>p &lt; 1 − confidence</c> and an effect a user would notice (see <see cref="Compare"/>).
/// </summary>
/// <param name="Baseline">The phase compared against.</param>
/// <param name="Other">The phase tested for higher latencies.</param>
/// <param name="BaselineCount">Samples in the baseline.</param>
/// <param name="OtherCount">Samples in the other phase.</param>
/// <param name="U">Mann–Whitney U of the other phase.</param>
/// <param name="Z">Its normal score.</param>
/// <param name="PValue">One-sided: the chance of ranks this high if both phases had the same latencies.</param>
/// <param name="EffectSize">Rank-biserial correlation, −1 to 1: the share of pairs where the other phase is slower minus the share where it is faster.</param>
/// <param name="MedianShiftMs">Median of the other phase minus median of the baseline.</param>
/// <param name="Higher">True when the other phase is slower with the confidence asked and by a noticeable amount.</param>
/// <param name="Confidence">1 − p: how sure the test is that the other phase is slower.</param>
public sealed record LatencyComparison(
    string Baseline,
    string Other,
    int BaselineCount,
    int OtherCount,
    double U,
    double Z,
    double PValue,
    double EffectSize,
    double MedianShiftMs,
    bool Higher,
    double Confidence)
{
    /// <summary>The smallest rank-biserial correlation counted as a real effect (a "small" effect in Cohen's terms).</summary>
    public const double MinimumEffectSize = 0.2;

    /// <summary>
    /// Compares <paramref name="other"/> against <paramref name="baseline"/>. "Higher" needs all of:
    /// one-sided p below <c>1 − confidence</c>, rank-biserial correlation at least
    /// <see cref="MinimumEffectSize"/>, and a median shift of at least <paramref name="minimumShiftMs"/>.
    /// </summary>
    public static LatencyComparison Compare(string baselineName, IReadOnlyList<double> baseline, string otherName, IReadOnlyList<double> other, double confidence, double minimumShiftMs)
    {
        int n1 = baseline.Count, n2 = other.Count;
        if (n1 < 2 || n2 < 2)
        {
            return new LatencyComparison(baselineName, otherName, n1, n2, 0, 0, 1, 0, 0, false, 0);
        }

        // Rank the pooled samples (ties get their average rank) and sum the other phase's ranks.
        var pooled = new (double Value, bool IsOther)[n1 + n2];
        for (var i = 0; i < n1; i++)
        {
            pooled[i] = (baseline[i], false);
        }

        for (var i = 0; i < n2; i++)
        {
            pooled[n1 + i] = (other[i], true);
        }

        Array.Sort(pooled, (a, b) => a.Value.CompareTo(b.Value));
        double rankSumOther = 0, tieTerm = 0;
        for (var start = 0; start < pooled.Length;)
        {
            var end = start;
            while (end + 1 < pooled.Length && pooled[end + 1].Value == pooled[start].Value)
            {
                end++;
            }

            var averageRank = (start + end + 2) / 2.0;
            var ties = end - start + 1;
            tieTerm += (double)ties * ties * ties - ties;
            for (var k = start; k <= end; k++)
            {
                if (pooled[k].IsOther)
                {
                    rankSumOther += averageRank;
                }
            }

            start = end + 1;
        }

        var u = rankSumOther - n2 * (n2 + 1) / 2.0;
        var n = (double)n1 + n2;
        var mean = (double)n1 * n2 / 2;
        var variance = (double)n1 * n2 / 12 * (n + 1 - tieTerm / (n * (n - 1)));
        var z = variance <= 0 ? 0 : (u - mean - 0.5) / Math.Sqrt(variance);
        var p = 1 - Normal.CDF(0, 1, z);
        var effect = 2 * u / ((double)n1 * n2) - 1;
        var shift = Median(other) - Median(baseline);
        var higher = p < 1 - confidence && effect >= MinimumEffectSize && shift >= minimumShiftMs;
        return new LatencyComparison(baselineName, otherName, n1, n2, u, z, p, effect, shift, higher, 1 - p);
    }

    private static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
