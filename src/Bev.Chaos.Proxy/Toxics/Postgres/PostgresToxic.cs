using System.Text.RegularExpressions;

namespace Bev.Chaos.Proxy.Toxics.Postgres;

/// <summary>
/// What the PostgreSQL toxics share: the <c>query</c> regex (on a simple query's text, or on the
/// text a Parse gave the statement a Bind executes) and a random source seeded from <c>seed</c>,
/// drawn once per matching execution in the order they arrive.
/// </summary>
internal abstract class PostgresToxic : Toxic
{
    private readonly Regex? _query;
    private readonly Random _random;

    protected PostgresToxic(ToxicDefinition definition)
        : base(definition)
    {
        _query = definition.Text(PostgresToxicConstants.Query) is { } pattern ? new Regex(pattern, RegexOptions.CultureInvariant, PostgresToxicConstants.MatchTimeout) : null;
        _random = new Random((int)definition.Attribute(ToxicTypes.SeedAttribute));
    }

    public override bool IsProtocol => true;

    /// <summary>Whether the query is one this toxic is for; counts it as matched when it is.</summary>
    public bool Matches(string query)
    {
        try
        {
            if (_query is not null && !_query.IsMatch(query))
            {
                return false;
            }
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }

        Counters.AddMatched();
        return true;
    }

    /// <summary>Draws the toxicity for a matched query; counts it as affected when it comes up.</summary>
    public bool Draw()
    {
        double draw;
        lock (_random)
        {
            draw = _random.NextDouble();
        }

        if (draw >= Definition.Toxicity)
        {
            return false;
        }

        Counters.AddAffected();
        return true;
    }
}
