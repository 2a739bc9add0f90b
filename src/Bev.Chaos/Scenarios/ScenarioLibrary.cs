using System.Reflection;
using Bev.Chaos.Experiments;

namespace Bev.Chaos.Scenarios;

/// <summary>
/// The built-in scenarios and suites (embedded YAML) plus any loaded from files or directories.
/// A scenario becomes an <see cref="ExperimentConfig"/> in one call.
/// </summary>
public sealed class ScenarioLibrary
{
    private const string BuiltInResource = "Bev.Chaos.Scenarios.BuiltIn.scenarios.yaml";
    private readonly Dictionary<string, ScenarioDefinition> _scenarios = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<string>> _suites = new(StringComparer.Ordinal);

    /// <summary>A library with the built-in scenarios and suites.</summary>
    public ScenarioLibrary()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(BuiltInResource)
            ?? throw new InvalidOperationException("the built-in scenarios are missing from the assembly");
        using var reader = new StreamReader(stream);
        Add(ScenarioLoader.Parse(reader.ReadToEnd(), "built-in scenarios.yaml"));
    }

    /// <summary>Every scenario, built-in and loaded, by category then name.</summary>
    public IReadOnlyList<ScenarioDefinition> Scenarios => _scenarios.Values.OrderBy(s => s.Category).ThenBy(s => s.Name, StringComparer.Ordinal).ToList();

    /// <summary>The suites by name, each with its scenarios' names in the order they run.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Suites => _suites;

    /// <summary>The scenario of that name, or null.</summary>
    public ScenarioDefinition? GetScenario(string name) => _scenarios.GetValueOrDefault(name);

    /// <summary>The scenarios of <paramref name="category"/>, by name.</summary>
    public IReadOnlyList<ScenarioDefinition> GetScenariosByCategory(ScenarioCategory category) =>
        Scenarios.Where(s => s.Category == category).ToList();

    /// <summary>The scenarios of a suite, in order.</summary>
    /// <exception cref="ChaosValidationException">No such suite.</exception>
    public IReadOnlyList<ScenarioDefinition> GetScenarioSuite(string name) =>
        _suites.TryGetValue(name, out var names)
            ? names.Select(n => _scenarios[n]).ToList()
            : throw new ChaosValidationException("suite", name, "one of " + string.Join(", ", _suites.Keys.Order(StringComparer.Ordinal)));

    /// <summary>Adds the scenarios of a YAML file, or of every .yaml/.yml file in a directory.</summary>
    /// <exception cref="ChaosValidationException">Every problem, with file, line and key.</exception>
    public IReadOnlyList<ScenarioDefinition> Load(string path)
    {
        var files = Directory.Exists(path)
            ? Directory.GetFiles(path, "*.y*ml").Order(StringComparer.Ordinal).ToArray()
            : File.Exists(path) ? [path] : throw new ChaosValidationException("scenarios", path, "an existing YAML file or directory");
        var added = new List<ScenarioDefinition>();
        var errors = new List<ValidationError>();
        foreach (var file in files)
        {
            try
            {
                var parsed = ScenarioLoader.Parse(Bev.Chaos.Configuration.InputFile.ReadText(file, "scenarios"), file);
                Add(parsed);
                added.AddRange(parsed.Scenarios);
            }
            catch (ChaosValidationException ex)
            {
                errors.AddRange(ex.Errors);
            }
        }

        return errors.Count > 0 ? throw new ChaosValidationException(errors) : added;
    }

    /// <summary>The scenario as an experiment; <paramref name="timeScale"/> below 1 shortens every duration.</summary>
    /// <exception cref="ChaosValidationException">No such scenario.</exception>
    public ExperimentConfig ToExperiment(string name, double timeScale = 1.0) =>
        ScenarioCompiler.Compile(GetScenario(name) ?? throw new ChaosValidationException("scenario", name, "a scenario from 'bev-chaos scenarios list' or a .yaml file"), timeScale);

    private void Add(ScenarioLoader.ScenarioFile file)
    {
        foreach (var scenario in file.Scenarios)
        {
            _scenarios[scenario.Name] = scenario;
        }

        var errors = new List<ValidationError>();
        foreach (var (suite, names) in file.Suites)
        {
            foreach (var missing in names.Where(n => !_scenarios.ContainsKey(n)))
            {
                errors.Add(new ValidationError($"suites.{suite}", missing, "names of scenarios in the library"));
            }

            _suites[suite] = names;
        }

        if (errors.Count > 0)
        {
            throw new ChaosValidationException(errors);
        }
    }
}
