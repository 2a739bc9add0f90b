using System.Text.Json.Nodes;
using Bev.Chaos.Configuration;
using Bev.Chaos.Faults;
using Bev.Chaos.Faults.Options;

namespace Bev.Chaos.Tests.Faults;

/// <summary>
/// Typed fault options: the schema read from an options record (defaults, bounds, caps, allowed
/// values, optional), the binding of validated values onto it, and the declarations refused when
/// the type is registered.
/// </summary>
public sealed class FaultOptionsSchemaTests
{
    internal record SharedOptions
    {
        [FaultOption("target_port", "A port.", Min = 1, Max = 65535)]
        public int? Port { get; init; }
    }

    internal sealed record SampleOptions : SharedOptions
    {
        [FaultOption("delay_ms", "A delay.", Min = 0, Max = 1000, CapKey = "max_delay_ms")]
        public long DelayMilliseconds { get; init; } = 100;

        [FaultOption("share", "A share.", Min = 0, Max = 1)]
        public double Share { get; init; } = 0.5;

        [FaultOption("mode", "A mode.", AllowedValues = ["soft", "hard"])]
        public string Mode { get; init; } = "soft";

        [FaultOption("reset", "A switch.")]
        public bool Reset { get; init; }

        /// <summary>Not an option: no attribute.</summary>
        public bool IsHard => Mode == "hard";
    }

    internal sealed record DefaultOutOfBounds
    {
        [FaultOption("delay_ms", "A delay.", Min = 10, Max = 100)]
        public long Delay { get; init; } = 5;
    }

    internal sealed record UnsupportedType
    {
        [FaultOption("when", "A time.")]
        public DateTime When { get; init; }
    }

    internal sealed record NumberWithoutBounds
    {
        [FaultOption("count", "A count.")]
        public long Count { get; init; }
    }

    internal sealed record DefaultNotAllowed
    {
        [FaultOption("mode", "A mode.", AllowedValues = ["soft", "hard"])]
        public string Mode { get; init; } = "medium";
    }

    internal sealed record NameTwice
    {
        [FaultOption("x", "One.", Min = 0, Max = 1)]
        public double A { get; init; }

        [FaultOption("x", "Two.", Min = 0, Max = 1)]
        public double B { get; init; }
    }

    [Fact]
    public void Parameters_FromTheRecord_BaseFirst_WithDefaultsBoundsCapsAndAllowedValues()
    {
        var parameters = FaultOptionsSchema<SampleOptions>.Parameters;

        Assert.Equal(["target_port", "delay_ms", "share", "mode", "reset"], parameters.Select(p => p.Name));
        var (port, delay, share, mode, reset) = (parameters[0], parameters[1], parameters[2], parameters[3], parameters[4]);
        Assert.Equal((FaultParameterType.Integer, true, (object?)null, 1.0, 65535.0), (port.Type, port.Optional, port.Default, port.Min!.Value, port.Max!.Value));
        Assert.Equal((FaultParameterType.Integer, false, (object?)100L, "max_delay_ms"), (delay.Type, delay.Optional, delay.Default, delay.CapKey));
        Assert.Equal((FaultParameterType.Number, (object?)0.5), (share.Type, share.Default));
        Assert.Equal((FaultParameterType.String, (object?)"soft"), (mode.Type, mode.Default));
        Assert.Equal(["soft", "hard"], mode.AllowedValues!);
        Assert.Equal((FaultParameterType.Boolean, (object?)false), (reset.Type, reset.Default));
    }

    [Fact]
    public void Bind_ValidatedValues_SetTheRecord_LeftOutOptionalStaysNull()
    {
        var injector = new SampleInjector();
        var errors = new List<ValidationError>();
        var validated = FaultParameterValidator.Validate(injector, null, new Dictionary<string, object?> { ["delay_ms"] = "250", ["mode"] = "hard", ["reset"] = true }, new InjectorSettings(), errors);

        var options = FaultOptionsSchema<SampleOptions>.Bind(validated);

        Assert.Empty(errors);
        Assert.Equal(new SampleOptions { DelayMilliseconds = 250, Mode = "hard", Reset = true }, options);
        Assert.Null(options.Port);
        Assert.True(options.IsHard);
    }

    [Fact]
    public void Validate_BeyondTheRecordsBounds_NamesTheParameterAndWhatIsAllowed()
    {
        var errors = new List<ValidationError>();
        FaultParameterValidator.Validate(new SampleInjector(), null, new Dictionary<string, object?> { ["delay_ms"] = 5000, ["mode"] = "medium" }, new InjectorSettings(), errors);

        Assert.Equal(["parameters.delay_ms", "parameters.mode"], errors.Select(e => e.Field));
        Assert.Contains("a whole number from 0 to 1000", errors[0].ToString(), StringComparison.Ordinal);
        Assert.Contains("one of soft, hard", errors[1].ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(typeof(DefaultOutOfBounds), "DefaultOutOfBounds.Delay: its default 5 is outside 10–100")]
    [InlineData(typeof(UnsupportedType), "UnsupportedType.When: DateTime is not an option type")]
    [InlineData(typeof(NumberWithoutBounds), "NumberWithoutBounds.Count: a number needs both Min and Max")]
    [InlineData(typeof(DefaultNotAllowed), "DefaultNotAllowed.Mode: its default 'medium' is not one of its allowed values (soft, hard)")]
    [InlineData(typeof(NameTwice), "the parameter name 'x' is declared twice")]
    public void Register_AWrongDeclaration_FailsNamingTheTypeAndTheProperty(Type options, string expected)
    {
        var injector = (FaultInjector)Activator.CreateInstance(typeof(DeclaredInjector<>).MakeGenericType(options))!;

        var error = Assert.Throws<InvalidOperationException>(() => FaultTypeRegistration.Register([injector]));

        Assert.Contains("fault type 'declared'", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Register_ANetworkTypeWithAWrongDeclaration_FailsAtRegistrationNamingIt()
    {
        var injector = new DeclaredNetworkInjector<DefaultOutOfBounds>();

        var error = Assert.Throws<InvalidOperationException>(() => FaultTypeRegistration.Register([injector]));

        Assert.Contains("fault type 'declared_network': fault options DefaultOutOfBounds.Delay: its default 5 is outside 10–100", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Register_AProfileOutsideTheSchema_FailsNamingTheProfile()
    {
        var error = Assert.Throws<InvalidOperationException>(() => FaultTypeRegistration.Register([new SampleInjector(new Dictionary<string, object> { ["delay_ms"] = 5000L, ["no_such"] = 1L })]));

        Assert.Contains("fault type 'sample': profile 'sample_light' is not valid", error.Message, StringComparison.Ordinal);
        Assert.Contains("parameters.delay_ms", error.Message, StringComparison.Ordinal);
        Assert.Contains("parameters.no_such", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Register_TwoTypesOfOneName_IsRefused()
    {
        var error = Assert.Throws<InvalidOperationException>(() => FaultTypeRegistration.Register([new SampleInjector(), new SampleInjector()]));

        Assert.Equal("fault type 'sample' is registered twice", error.Message);
    }

    private sealed class SampleInjector(IReadOnlyDictionary<string, object>? light = null) : FaultInjector<SampleOptions>
    {
        public override string Name => "sample";

        public override FaultCategory Category => FaultCategory.Application;

        public override string Description => "A sample.";

        public override IReadOnlyDictionary<string, FaultProfile> Profiles => light is null
            ? new Dictionary<string, FaultProfile>()
            : new Dictionary<string, FaultProfile> { ["sample_light"] = new("sample_light", light, null) };

        protected internal override ValueTask<JsonObject> PrepareAsync(FaultContext context, CancellationToken cancellationToken) => ValueTask.FromResult(new JsonObject());

        protected internal override ValueTask<IAsyncDisposable?> ApplyAsync(FaultContext context, JsonObject undo, CancellationToken cancellationToken) => ValueTask.FromResult<IAsyncDisposable?>(null);

        protected internal override ValueTask RevertAsync(JsonObject undo, RevertContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    internal sealed class DeclaredInjector<TOptions> : FaultInjector<TOptions>
        where TOptions : class, new()
    {
        public override string Name => "declared";

        public override FaultCategory Category => FaultCategory.Application;

        public override string Description => "A declaration under test.";

        protected internal override ValueTask<JsonObject> PrepareAsync(FaultContext context, CancellationToken cancellationToken) => ValueTask.FromResult(new JsonObject());

        protected internal override ValueTask<IAsyncDisposable?> ApplyAsync(FaultContext context, JsonObject undo, CancellationToken cancellationToken) => ValueTask.FromResult<IAsyncDisposable?>(null);

        protected internal override ValueTask RevertAsync(JsonObject undo, RevertContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    internal sealed class DeclaredNetworkInjector<TOptions>() : Bev.Chaos.Faults.Network.NetworkFaultInjector<TOptions>(new Bev.Chaos.Faults.Network.Kernel.TrafficControlMechanism(_ => ("netem", [])))
        where TOptions : class, new()
    {
        public override string Name => "declared_network";

        public override string Description => "A network declaration under test.";
    }
}
