using System.Collections.Frozen;
using System.Text;
using Bev.Chaos.Proxy.Protocols.Redis;

namespace Bev.Chaos.Proxy.Toxics.Redis;

/// <summary>
/// What the Redis toxics share: the matchers (<c>commands</c>, <c>key</c>) and a random source
/// seeded from the <c>seed</c> attribute, drawn once per matching command in the order the
/// commands arrive, so one seed gives the same affected commands again.
/// </summary>
internal abstract class RedisToxic : Toxic
{
    private readonly FrozenSet<string>? _commands;
    private readonly byte[]? _keyGlob;
    private readonly Random _random;

    protected RedisToxic(ToxicDefinition definition)
        : base(definition)
    {
        _commands = definition.List(RedisToxicConstants.Commands)?.ToFrozenSet(StringComparer.Ordinal);
        _keyGlob = definition.Text(RedisToxicConstants.Key) is { } key ? Encoding.UTF8.GetBytes(key) : null;
        _random = new Random((int)definition.Attribute(ToxicTypes.SeedAttribute));
    }

    public override bool IsProtocol => true;

    /// <summary>Whether the command is one this toxic is for; counts it as matched when it is.</summary>
    public bool Matches(RedisCommand command)
    {
        if (_commands is not null && !_commands.Contains(command.Name))
        {
            return false;
        }

        if (_keyGlob is not null && !RedisKeys.AnyMatches(command, _keyGlob))
        {
            return false;
        }

        Counters.AddMatched();
        return true;
    }

    /// <summary>Draws the toxicity for a matched command; counts it as affected when it comes up.</summary>
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
