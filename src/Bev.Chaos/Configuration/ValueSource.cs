namespace Bev.Chaos.Configuration;

/// <summary>Where a configuration value was written (<c>file:line</c>) and its text as written, for error messages.</summary>
internal readonly record struct ValueSource(string Location, string Text);
