namespace Bev.Chaos.Cli;

/// <summary>The command line's exit codes (ARCHITECTURE.md).</summary>
internal static class ExitCodes
{
    /// <summary>Done; for <c>run</c>: the hypothesis held.</summary>
    public const int Success = 0;

    /// <summary>Failed at run time (the machine lacks a feature, a fault could not be applied).</summary>
    public const int Failure = 1;

    /// <summary>Invalid input (flags, parameters, configuration), or aborted.</summary>
    public const int InvalidInput = 2;
}
