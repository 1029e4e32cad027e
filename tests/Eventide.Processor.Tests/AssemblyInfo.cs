// These tests measure handoff gaps and freshness on a 2-core machine; running
// the classes one at a time keeps those timings about the processor, not
// about the other test classes competing for the CPU.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
