using Eventide.Bench;

namespace Eventide.Bench.Tests;

public class GrpcComparisonTests
{
    [Fact]
    public void Refusals_names_grpc_codes_and_http_statuses_and_leaves_out_the_accepted()
    {
        var result = new LoadResult();
        result.ByStatus[202] = 900;
        result.ByStatus[1000 + 14] = 64;
        result.ByStatus[1000 + 8] = 2;
        result.ByStatus[503] = 1_200;
        result.ByStatus[0] = 3;

        Assert.Equal("no answer × 3, 503 × 1,200, ResourceExhausted × 2, Unavailable × 64", GrpcComparison.Refusals(result));
    }

    [Fact]
    public void Refusals_is_empty_when_every_batch_was_accepted()
    {
        var result = new LoadResult();
        result.ByStatus[202] = 10;

        Assert.Equal("", GrpcComparison.Refusals(result));
    }

    [Fact]
    public void Merge_keeps_the_first_message_of_each_status()
    {
        var total = new LoadResult();
        var a = new LoadResult();
        a.FirstMessage[1014] = "first";
        var b = new LoadResult();
        b.FirstMessage[1014] = "second";
        b.FirstMessage[1008] = "other";

        total.Merge(a);
        total.Merge(b);

        Assert.Equal("first", total.FirstMessage[1014]);
        Assert.Equal("other", total.FirstMessage[1008]);
    }
}
