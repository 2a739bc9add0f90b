using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Bev.Chaos.Server;

/// <summary>Strict reading of query-string parameters: a bad one is a 400 with the documented body, never an empty one.</summary>
internal static class QueryReader
{
    /// <summary>A whole number between <paramref name="min"/> and <paramref name="max"/>; <paramref name="fallback"/> when absent; out of range is clamped.</summary>
    public static int Int(HttpRequest request, string name, int fallback, int min, int max)
    {
        var values = request.Query[name];
        if (values.Count == 0)
        {
            return fallback;
        }

        var text = values.ToString();
        return values.Count == 1 && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? (int)Math.Clamp(value, min, max)
            : throw new ChaosValidationException(name, text, $"a whole number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}, given once");
    }

    /// <summary>Runs a handler, turning a bad query parameter into its 400.</summary>
    public static async Task<IResult> HandleAsync(Func<Task<IResult>> handler)
    {
        try
        {
            return await handler().ConfigureAwait(false);
        }
        catch (ChaosValidationException ex)
        {
            return ApiError.From(ex);
        }
    }
}
