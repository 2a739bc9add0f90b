// Fault tests measure CPU, memory and I/O on a 2-core machine: one at a time, or they disturb each other.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
