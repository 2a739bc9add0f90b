using Microsoft.AspNetCore.Http;

namespace Bev.Chaos.Server;

/// <summary>The API's error shape: <c>{"error", "field", "allowed"}</c> (and every problem in <c>errors</c>).</summary>
internal static class ApiError
{
    public static IResult From(ChaosValidationException ex) => Results.Json(new
    {
        error = ex.Errors[0].ToString(),
        field = ex.Errors[0].Field,
        allowed = ex.Errors[0].Allowed,
        errors = ex.Errors.Select(e => new { field = e.Field, value = e.Value, allowed = e.Allowed, error = e.ToString() }),
    }, ServerJson.Options, statusCode: StatusCodes.Status400BadRequest);

    public static IResult Status(int status, string error, string? field = null, string? allowed = null) =>
        Results.Json(new { error, field, allowed }, ServerJson.Options, statusCode: status);

    public static IResult NotFound(string what, string id) => Status(StatusCodes.Status404NotFound, $"no {what} '{id}'", what.Replace(' ', '_') + "_id");
}
