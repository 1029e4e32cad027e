using Akka.Actor;
using Akka.Cluster;

namespace Eventide.Processor.Cluster;

/// <summary>Records when this member saw each member come up (Akka's membership carries no such time).</summary>
internal sealed class MemberEventsListener : ReceiveActor
{
    public MemberEventsListener(ProcessorClusterState state, TimeProvider time)
    {
        Receive<ClusterEvent.MemberUp>(m => state.MemberUp(m.Member.Address, time.GetUtcNow()));
        Receive<ClusterEvent.MemberRemoved>(m => state.MemberRemoved(m.Member.Address));
        Receive<ClusterEvent.IMemberEvent>(_ => { });
        Receive<ClusterEvent.CurrentClusterState>(s =>
        {
            foreach (var member in s.Members.Where(m => m.Status == MemberStatus.Up))
            {
                state.MemberUp(member.Address, time.GetUtcNow());
            }
        });
    }

    protected override void PreStart() =>
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot,
            typeof(ClusterEvent.IMemberEvent));

    protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
}
