// Packing, installing and containers share one machine's CPU and one feed: one test at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
[assembly: AssemblyFixture(typeof(Bev.Chaos.Deploy.Tests.Packages.PackageFeed))]
