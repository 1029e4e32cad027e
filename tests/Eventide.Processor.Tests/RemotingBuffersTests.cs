using System.Reflection;
using System.Runtime.Loader;
using DotNetty.Buffers;
using Eventide.Processor.Cluster;

namespace Eventide.Processor.Tests;

// The environment is the process's: these tests restore the variable they change, and run
// alone so no other test reads it half-way.
[Collection(nameof(RemotingBuffersTests))]
[CollectionDefinition(nameof(RemotingBuffersTests), DisableParallelization = true)]
public class RemotingBuffersTests
{
    [Fact]
    public void Unpooled_buffers_are_chosen_when_the_environment_has_no_choice()
    {
        WithVariable(null, () =>
        {
            Assert.Equal("unpooled", RemotingBuffers.PreferUnpooled());
            Assert.Equal("unpooled", Environment.GetEnvironmentVariable(RemotingBuffers.Variable));
        });
    }

    [Fact]
    public void An_operators_choice_is_kept()
    {
        WithVariable(" pooled ", () =>
        {
            Assert.Equal("pooled", RemotingBuffers.PreferUnpooled());
            Assert.Equal(" pooled ", Environment.GetEnvironmentVariable(RemotingBuffers.Variable));
        });
    }

    // What the choice is for: DotNetty's default allocator, which the channels Akka.Remote accepts
    // use, read in a fresh copy of DotNetty.Buffers (its statics are read once per load), so the
    // test does not depend on whether another test started remoting first. The pooled case shows
    // the variable is what decides, so a DotNetty that stopped reading it would fail here.
    [Theory]
    [InlineData(null, nameof(UnpooledByteBufferAllocator))]
    [InlineData("pooled", nameof(PooledByteBufferAllocator))]
    public void DotNetty_takes_the_choice_for_its_default_allocator(string? environment, string allocator)
    {
        WithVariable(environment, () =>
        {
            RemotingBuffers.PreferUnpooled();
            Assert.Equal(allocator, DefaultAllocatorOfAFreshDotNetty());
        });
    }

    private static string DefaultAllocatorOfAFreshDotNetty()
    {
        var context = new AssemblyLoadContext("dotnetty-buffers", isCollectible: true);
        try
        {
            var buffers = context.LoadFromAssemblyPath(typeof(IByteBuffer).Assembly.Location);
            Assert.NotSame(typeof(IByteBuffer).Assembly, buffers);
            var field = buffers.GetType("DotNetty.Buffers.ByteBufferUtil", throwOnError: true)!
                .GetField("DefaultAllocator", BindingFlags.Public | BindingFlags.Static);
            Assert.NotNull(field);
            return field.GetValue(null)!.GetType().Name;
        }
        finally
        {
            context.Unload();
        }
    }

    private static void WithVariable(string? value, Action test)
    {
        var before = Environment.GetEnvironmentVariable(RemotingBuffers.Variable);
        Environment.SetEnvironmentVariable(RemotingBuffers.Variable, value);
        try
        {
            test();
        }
        finally
        {
            Environment.SetEnvironmentVariable(RemotingBuffers.Variable, before);
        }
    }
}
