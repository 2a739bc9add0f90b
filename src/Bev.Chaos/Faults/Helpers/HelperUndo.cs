using System.Text.Json.Nodes;
using Bev.Chaos.Targets.Linux;

namespace Bev.Chaos.Faults.Helpers;

/// <summary>How helper-carried faults record and revert their helper.</summary>
internal static class HelperUndo
{
    public const string Key = "helper";

    public static void Record(JsonObject undo, HelperProcess helper) => undo[Key] = helper.Identity.ToString();

    public static void Revert(JsonObject undo)
    {
        if (undo[Key]?.GetValue<string>() is { } text)
        {
            HelperProcess.Kill(ProcessIdentity.Parse(text));
        }
    }
}
