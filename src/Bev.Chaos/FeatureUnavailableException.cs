namespace Bev.Chaos;

/// <summary>The machine lacks something a fault needs (root, a cgroup controller, a kernel feature).</summary>
public sealed class FeatureUnavailableException(string message) : Exception(message);
