// Timing tests (latency to ±3 ms, bandwidth to ±5 %) need the two cores to themselves.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
