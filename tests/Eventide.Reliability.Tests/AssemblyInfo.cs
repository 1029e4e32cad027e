// The fault tests assert client-side latencies (503 within 1 s) and takeover
// times on a 2-core machine; one class at a time keeps those timings about
// the pipeline under its fault, not about the other classes of this suite.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
