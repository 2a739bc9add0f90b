using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Bev.Chaos.Tests;

/// <summary>
/// The layering of docs/architecture.md, read from the compiled Bev.Chaos assembly's metadata and
/// IL: every type a type names — base type, interfaces, fields, signatures, attributes and every
/// token in its method bodies (lambdas and async state machines count for the type that holds
/// them) — so a dependency cannot hide in a method body.
/// </summary>
public sealed class ArchitectureTests
{
    // Higher depends on lower, never back up. Within one rank no order is documented; only cycles are refused.
    private static readonly Dictionary<string, int> Ranks = new(StringComparer.Ordinal)
    {
        ["Engine"] = 6, // ChaosEngine: the composition of everything below.
        ["Agents"] = 5,
        ["Experiments"] = 5,
        ["Safety"] = 5,
        ["Scenarios"] = 5,
        ["Resilience"] = 5,
        ["Reporting"] = 5,
        ["Probes"] = 5,
        ["Faults"] = 4,
        ["Load"] = 4, // LoadGenerator: constant-rate load, used by experiments and resilience tests alike.
        ["Targets"] = 3,
        ["Persistence"] = 2,
        ["Events"] = 1,
        ["Configuration"] = 0,
        ["Core"] = 0, // The root namespace's shared types: ChaosValidationException, DurationText, …
    };

    // Known violations of today, each to be removed by the change that fixes it. A new dependency
    // up the layers, or a new cycle, fails the test.
    private static readonly HashSet<string> KnownExceptions = new(StringComparer.Ordinal)
    {
        // ExperimentPhaseEvent and ExperimentFinishedEvent carry Experiments' enums.
        "Events -> Experiments",
        // ResilienceTester(ChaosEngine, ScenarioLibrary): a convenience constructor over the composition.
        "Resilience -> Engine",
    };

    // Known edges between layers of one rank that close a cycle; the cycle test ignores them (and
    // the upward exceptions above), so any other cycle is new.
    private static readonly HashSet<string> KnownCycleEdges = new(StringComparer.Ordinal)
    {
    };

    [Fact]
    public void Namespaces_DependOnlyDownward_NoNewViolations()
    {
        var graph = DependencyGraph(typeof(ChaosEngine).Assembly.Location);

        var upward = Edges(graph)
            .Where(e => Rank(e.From) < Rank(e.To))
            .Select(e => $"{e.From} -> {e.To}")
            .Where(e => !KnownExceptions.Contains(e))
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.True(upward.Count == 0, "dependencies up the layers of docs/architecture.md: " + string.Join("; ", upward) + Describe(graph));
    }

    [Fact]
    public void Namespaces_HaveNoNewCycles()
    {
        var graph = DependencyGraph(typeof(ChaosEngine).Assembly.Location);
        var known = graph.ToDictionary(
            n => n.Key,
            n => n.Value.Where(to => !KnownExceptions.Contains($"{n.Key} -> {to}") && !KnownCycleEdges.Contains($"{n.Key} -> {to}")).ToHashSet(StringComparer.Ordinal),
            StringComparer.Ordinal);

        var cycles = StronglyConnected(known).Where(c => c.Count > 1)
            .Select(c => "{" + string.Join(", ", c.Order(StringComparer.Ordinal)) + "}")
            .ToList();

        Assert.True(cycles.Count == 0, "namespace cycles: " + string.Join("; ", cycles) + Describe(graph));
    }

    [Fact]
    public void KnownExceptions_AreAllStillReal()
    {
        // An exception whose dependency is gone must go too, or it would let the dependency back in unseen.
        var graph = DependencyGraph(typeof(ChaosEngine).Assembly.Location);
        var edges = Edges(graph).Select(e => $"{e.From} -> {e.To}").ToHashSet(StringComparer.Ordinal);

        var stale = KnownExceptions.Concat(KnownCycleEdges).Where(e => !edges.Contains(e)).Order(StringComparer.Ordinal).ToList();

        Assert.True(stale.Count == 0, "known exceptions no longer needed (remove them): " + string.Join("; ", stale));
    }

    private static IEnumerable<(string From, string To)> Edges(Dictionary<string, HashSet<string>> graph) =>
        graph.SelectMany(n => n.Value.Select(to => (n.Key, to)));

    [Fact]
    public void Proxy_ReferencesNothingElseOfOurs()
    {
        using var pe = new PEReader(File.OpenRead(typeof(Bev.Chaos.Proxy.ProxyCollection).Assembly.Location));
        var reader = pe.GetMetadataReader();

        var ours = reader.AssemblyReferences.Select(h => reader.GetString(reader.GetAssemblyReference(h).Name))
            .Where(n => n.StartsWith("Bev.Chaos", StringComparison.Ordinal))
            .ToList();

        Assert.Empty(ours);
    }

    private static int Rank(string layer) =>
        Ranks.TryGetValue(layer, out var rank) ? rank : throw new InvalidOperationException($"namespace Bev.Chaos.{layer} has no place in the layers; add it to Ranks as docs/architecture.md draws it");

    private static string Describe(Dictionary<string, HashSet<string>> graph) =>
        "\nall dependencies: " + string.Join("; ", graph.OrderBy(n => n.Key, StringComparer.Ordinal).Select(n => n.Key + " -> " + string.Join(", ", n.Value.Order(StringComparer.Ordinal))));

    /// <summary>Top-level namespace (layer) → the layers its types reference.</summary>
    internal static Dictionary<string, HashSet<string>> DependencyGraph(string assemblyPath)
    {
        using var pe = new PEReader(File.OpenRead(assemblyPath));
        var reader = pe.GetMetadataReader();
        var graph = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var handle in reader.TypeDefinitions)
        {
            var from = LayerOf(reader, handle);
            if (from is null)
            {
                continue;
            }

            var names = new TypeNames(reader);
            Collect(reader, pe, handle, names);
            var edges = graph.TryGetValue(from, out var existing) ? existing : graph[from] = new HashSet<string>(StringComparer.Ordinal);
            foreach (var to in names.Layers.Where(l => l != from))
            {
                edges.Add(to);
            }
        }

        return graph;
    }

    private static void Collect(MetadataReader reader, PEReader pe, TypeDefinitionHandle handle, TypeNames names)
    {
        var type = reader.GetTypeDefinition(handle);
        names.Token(MetadataTokens.GetToken(type.BaseType));
        foreach (var i in type.GetInterfaceImplementations())
        {
            names.Token(MetadataTokens.GetToken(reader.GetInterfaceImplementation(i).Interface));
        }

        Attributes(reader, type.GetCustomAttributes(), names);
        foreach (var f in type.GetFields())
        {
            var field = reader.GetFieldDefinition(f);
            field.DecodeSignature(names, null);
            Attributes(reader, field.GetCustomAttributes(), names);
        }

        foreach (var p in type.GetProperties())
        {
            var property = reader.GetPropertyDefinition(p);
            property.DecodeSignature(names, null);
            Attributes(reader, property.GetCustomAttributes(), names);
        }

        foreach (var m in type.GetMethods())
        {
            var method = reader.GetMethodDefinition(m);
            method.DecodeSignature(names, null);
            Attributes(reader, method.GetCustomAttributes(), names);
            if (method.RelativeVirtualAddress != 0)
            {
                var body = pe.GetMethodBody(method.RelativeVirtualAddress);
                if (!body.LocalSignature.IsNil)
                {
                    reader.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(names, null);
                }

                foreach (var region in body.ExceptionRegions.Where(r => r.Kind == ExceptionRegionKind.Catch))
                {
                    names.Token(MetadataTokens.GetToken(region.CatchType));
                }

                Il(body.GetILReader(), names);
            }
        }
    }

    private static void Attributes(MetadataReader reader, CustomAttributeHandleCollection attributes, TypeNames names)
    {
        foreach (var a in attributes)
        {
            names.Token(MetadataTokens.GetToken(reader.GetCustomAttribute(a).Constructor));
        }
    }

    // Every token operand of every instruction: types, methods, fields, signatures.
    private static void Il(BlobReader il, TypeNames names)
    {
        while (il.RemainingBytes > 0)
        {
            var code = (int)il.ReadByte();
            if (code == 0xFE)
            {
                code = 0xFE00 | il.ReadByte();
            }

            switch (OpCodeTable[code].OperandType)
            {
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    il.Offset += 1;
                    break;
                case OperandType.InlineVar:
                    il.Offset += 2;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    il.Offset += 8;
                    break;
                case OperandType.InlineSwitch:
                    var targets = il.ReadInt32();
                    il.Offset += 4 * targets;
                    break;
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType or OperandType.InlineSig:
                    names.Token(il.ReadInt32());
                    break;
                default:
                    il.Offset += 4;
                    break;
            }
        }
    }

    private static readonly Dictionary<int, OpCode> OpCodeTable = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => (int)(ushort)o.Value);

    // The layer of a Bev.Chaos type: its namespace's first segment (nested types count for the outermost one).
    private static string? LayerOf(MetadataReader reader, TypeDefinitionHandle handle)
    {
        var type = reader.GetTypeDefinition(handle);
        while (type.IsNested)
        {
            type = reader.GetTypeDefinition(type.GetDeclaringType());
        }

        return Layer(reader.GetString(type.Namespace), reader.GetString(type.Name));
    }

    private static string? Layer(string ns, string name) =>
        ns == "Bev.Chaos" ? (name == nameof(ChaosEngine) ? "Engine" : "Core")
        : ns.StartsWith("Bev.Chaos.", StringComparison.Ordinal) ? ns["Bev.Chaos.".Length..].Split('.')[0]
        : null;

    private static List<List<string>> StronglyConnected(Dictionary<string, HashSet<string>> graph)
    {
        // Tarjan's algorithm over a handful of nodes.
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var result = new List<List<string>>();
        void Visit(string v)
        {
            index[v] = low[v] = index.Count;
            stack.Push(v);
            foreach (var w in graph.GetValueOrDefault(v) ?? [])
            {
                if (!index.ContainsKey(w))
                {
                    Visit(w);
                    low[v] = Math.Min(low[v], low[w]);
                }
                else if (stack.Contains(w))
                {
                    low[v] = Math.Min(low[v], index[w]);
                }
            }

            if (low[v] == index[v])
            {
                var component = new List<string>();
                string w;
                do
                {
                    w = stack.Pop();
                    component.Add(w);
                }
                while (w != v);
                result.Add(component);
            }
        }

        foreach (var v in graph.Keys.Union(graph.Values.SelectMany(e => e)).ToList())
        {
            if (!index.ContainsKey(v))
            {
                Visit(v);
            }
        }

        return result;
    }

    /// <summary>Resolves tokens and decodes signatures, noting the layer of every Bev.Chaos type met.</summary>
    private sealed class TypeNames(MetadataReader reader) : ISignatureTypeProvider<string, object?>
    {
        public HashSet<string> Layers { get; } = new(StringComparer.Ordinal);

        public void Token(int token)
        {
            if (token == 0)
            {
                return;
            }

            var handle = MetadataTokens.EntityHandle(token);
            if (handle.IsNil)
            {
                return;
            }

            switch (handle.Kind)
            {
                case HandleKind.TypeDefinition:
                    GetTypeFromDefinition(reader, (TypeDefinitionHandle)handle, 0);
                    break;
                case HandleKind.TypeReference:
                    GetTypeFromReference(reader, (TypeReferenceHandle)handle, 0);
                    break;
                case HandleKind.TypeSpecification:
                    reader.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(this, null);
                    break;
                case HandleKind.FieldDefinition:
                    GetTypeFromDefinition(reader, reader.GetFieldDefinition((FieldDefinitionHandle)handle).GetDeclaringType(), 0);
                    break;
                case HandleKind.MethodDefinition:
                    GetTypeFromDefinition(reader, reader.GetMethodDefinition((MethodDefinitionHandle)handle).GetDeclaringType(), 0);
                    break;
                case HandleKind.MemberReference:
                    var member = reader.GetMemberReference((MemberReferenceHandle)handle);
                    Token(MetadataTokens.GetToken(member.Parent));
                    if (member.GetKind() == MemberReferenceKind.Method)
                    {
                        member.DecodeMethodSignature(this, null);
                    }
                    else
                    {
                        member.DecodeFieldSignature(this, null);
                    }

                    break;
                case HandleKind.MethodSpecification:
                    var spec = reader.GetMethodSpecification((MethodSpecificationHandle)handle);
                    Token(MetadataTokens.GetToken(spec.Method));
                    spec.DecodeSignature(this, null);
                    break;
                case HandleKind.StandaloneSignature:
                    var signature = reader.GetStandaloneSignature((StandaloneSignatureHandle)handle);
                    if (signature.GetKind() == StandaloneSignatureKind.Method)
                    {
                        signature.DecodeMethodSignature(this, null);
                    }

                    break;
            }
        }

        public string GetTypeFromDefinition(MetadataReader metadata, TypeDefinitionHandle handle, byte rawTypeKind)
        {
            if (LayerOf(metadata, handle) is { } layer)
            {
                Layers.Add(layer);
            }

            return string.Empty;
        }

        public string GetTypeFromReference(MetadataReader metadata, TypeReferenceHandle handle, byte rawTypeKind)
        {
            // Types of this assembly are definitions; a reference names another assembly's type.
            return string.Empty;
        }

        public string GetTypeFromSpecification(MetadataReader metadata, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
            metadata.GetTypeSpecification(handle).DecodeSignature(this, genericContext);

        public string GetArrayType(string elementType, ArrayShape shape) => elementType;

        public string GetByReferenceType(string elementType) => elementType;

        public string GetFunctionPointerType(MethodSignature<string> signature) => string.Empty;

        public string GetGenericInstantiation(string genericType, ImmutableArray<string> typeArguments) => genericType;

        public string GetGenericMethodParameter(object? genericContext, int index) => string.Empty;

        public string GetGenericTypeParameter(object? genericContext, int index) => string.Empty;

        public string GetModifiedType(string modifier, string unmodifiedType, bool isRequired) => unmodifiedType;

        public string GetPinnedType(string elementType) => elementType;

        public string GetPointerType(string elementType) => elementType;

        public string GetPrimitiveType(PrimitiveTypeCode typeCode) => string.Empty;

        public string GetSZArrayType(string elementType) => elementType;
    }
}
