using System.Text.RegularExpressions;
using Bev.Chaos.Proxy.Protocols.Http;

namespace Bev.Chaos.Proxy.Toxics.Http;

/// <summary>
/// What the HTTP toxics share: the matchers (<c>method</c>, <c>path</c>, <c>header_name</c> and
/// <c>header_value</c>) and a random source seeded from the <c>seed</c> attribute, drawn once per
/// matching request in the order the requests arrive, so one seed gives the same affected requests again.
/// </summary>
internal abstract class HttpToxic : Toxic
{
    private readonly string? _method;
    private readonly Regex? _path;
    private readonly string? _headerName;
    private readonly Regex? _headerValue;
    private readonly Random _random;

    protected HttpToxic(ToxicDefinition definition)
        : base(definition)
    {
        _method = definition.Text(HttpToxicConstants.Method);
        _path = definition.Text(HttpToxicConstants.Path) is { } glob ? Glob(glob) : null;
        _headerName = definition.Text(HttpToxicConstants.HeaderName);
        _headerValue = definition.Text(HttpToxicConstants.HeaderValue) is { } pattern ? new Regex(pattern, RegexOptions.CultureInvariant, HttpToxicConstants.MatchTimeout) : null;
        _random = new Random((int)definition.Attribute(ToxicTypes.SeedAttribute));
    }

    public override bool IsProtocol => true;

    /// <summary>Whether the request is one this toxic is for; counts it as matched when it is.</summary>
    public bool Matches(HttpHead request)
    {
        if (_method is not null && !string.Equals(_method, request.Method, StringComparison.Ordinal))
        {
            return false;
        }

        if (_path is not null && !IsMatch(_path, request.Path))
        {
            return false;
        }

        if (_headerName is not null)
        {
            var value = request.Header(_headerName);
            if (value is null || (_headerValue is not null && !IsMatch(_headerValue, value)))
            {
                return false;
            }
        }

        Counters.AddMatched();
        return true;
    }

    /// <summary>Draws the toxicity for a matched request; counts it as affected when it comes up.</summary>
    public bool Draw()
    {
        if (Next() >= Definition.Toxicity)
        {
            return false;
        }

        Counters.AddAffected();
        return true;
    }

    /// <summary>The toxic's next random number in [0, 1), from its seeded source.</summary>
    protected double Next()
    {
        lock (_random)
        {
            return _random.NextDouble();
        }
    }

    private static bool IsMatch(Regex regex, string text)
    {
        try
        {
            return regex.IsMatch(text);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    private static Regex Glob(string glob) =>
        new("^" + Regex.Escape(glob).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$", RegexOptions.CultureInvariant | RegexOptions.Singleline, HttpToxicConstants.MatchTimeout);
}
