using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Bev.Chaos.Configuration;

/// <summary>
/// Refuses YAML nested deeper than any configuration, scenario or experiment needs, before it
/// is loaded: YamlDotNet builds its node tree recursively, so a few hundred thousand <c>[</c> in
/// a file would end the process with a stack overflow. The check reads the parser's events,
/// which keeps no recursion of its own.
/// </summary>
internal static class YamlDepth
{
    /// <summary>The deepest nesting of mappings and sequences accepted.</summary>
    public const int Max = 64;

    /// <summary>Throws naming the file and line where the nesting passes <see cref="Max"/>; syntax errors are left to the loader.</summary>
    /// <exception cref="ChaosValidationException">The text nests deeper than <see cref="Max"/>.</exception>
    public static void Check(string yaml, string fileName)
    {
        var parser = new Parser(new StringReader(yaml));
        var depth = 0;
        try
        {
            while (parser.MoveNext())
            {
                switch (parser.Current)
                {
                    case MappingStart or SequenceStart when ++depth > Max:
                        throw new ChaosValidationException([new ValidationError("(yaml)", $"nesting {depth} deep", $"mappings and lists nested at most {Max} deep", $"{fileName}:{parser.Current!.Start.Line}")]);
                    case MappingEnd or SequenceEnd:
                        depth--;
                        break;
                }
            }
        }
        catch (YamlException)
        {
            // The loader reports syntax errors with their line and column.
        }
    }
}
