using System.IO.Compression;
using System.Xml.Linq;

namespace Bev.Chaos.Deploy.Tests.Packages;

/// <summary>What `dotnet pack Bev.Chaos.slnx` writes: exactly the three packages, with real metadata.</summary>
public sealed class PackTests(PackageFeed feed)
{
    [Fact]
    public void Pack_Solution_WritesTheLibraryProxyAndToolPackagesOnly()
    {
        feed.EnsurePacked();
        var v = feed.Version;
        Assert.Equal(
            new[] { $"Bev.Chaos.{v}.nupkg", $"Bev.Chaos.{v}.snupkg", $"Bev.Chaos.Proxy.{v}.nupkg", $"Bev.Chaos.Proxy.{v}.snupkg", $"bev-chaos.{v}.nupkg", $"bev-chaos.{v}.snupkg" }.Order(StringComparer.Ordinal),
            feed.Files);
    }

    [Theory]
    [InlineData("Bev.Chaos")]
    [InlineData("Bev.Chaos.Proxy")]
    [InlineData("bev-chaos")]
    public void Pack_EachPackage_HasDescriptionLicenseAndReadmeAndNoMadeUpRepositoryUrl(string id)
    {
        feed.EnsurePacked();
        using var zip = ZipFile.OpenRead(Path.Combine(feed.Feed, $"{id}.{feed.Version}.nupkg"));
        var nuspec = XDocument.Load(zip.GetEntry($"{id}.nuspec")!.Open());
        var ns = nuspec.Root!.Name.Namespace;
        var metadata = nuspec.Root.Element(ns + "metadata")!;
        Assert.Equal(id, metadata.Element(ns + "id")!.Value);
        Assert.Equal("MIT", metadata.Element(ns + "license")!.Value);
        Assert.True(metadata.Element(ns + "description")!.Value.Length > 80, "a real description, not 'Package Description'");
        // No public repository yet: no made-up URL is published (the publisher passes -p:RepositoryUrl).
        Assert.Null(metadata.Element(ns + "repository")?.Attribute("url"));
        Assert.Null(metadata.Element(ns + "projectUrl"));
        Assert.Equal("README.md", metadata.Element(ns + "readme")!.Value);
        Assert.NotNull(zip.GetEntry("README.md"));
    }

    [Fact]
    public void Pack_Library_CarriesXmlDocsAndTheHelperWithItsCopyTargets()
    {
        feed.EnsurePacked();
        using var zip = ZipFile.OpenRead(Path.Combine(feed.Feed, $"Bev.Chaos.{feed.Version}.nupkg"));
        var names = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("lib/net10.0/Bev.Chaos.dll", names);
        Assert.Contains("lib/net10.0/Bev.Chaos.xml", names);
        Assert.Contains("helper/Bev.Chaos.Helper.dll", names);
        Assert.Contains("helper/Bev.Chaos.Helper.runtimeconfig.json", names);
        Assert.Contains("buildTransitive/Bev.Chaos.targets", names);
        using var symbols = ZipFile.OpenRead(Path.Combine(feed.Feed, $"Bev.Chaos.{feed.Version}.snupkg"));
        Assert.Contains(symbols.Entries, e => e.FullName == "lib/net10.0/Bev.Chaos.pdb");
    }
}
