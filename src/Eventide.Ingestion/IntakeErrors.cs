using Eventide.Core.Events;

namespace Eventide.Ingestion;

/// <summary>Index-ordered lists of event errors: a request's rejections, each by the index of its event.</summary>
public static class IntakeErrors
{
    /// <summary>Merges two index-ordered lists, keeping each event's own errors in their order.</summary>
    public static List<EventError> MergeByIndex(List<EventError> a, List<EventError> b)
    {
        var merged = new List<EventError>(a.Count + b.Count);
        int i = 0, j = 0;
        while (i < a.Count || j < b.Count)
        {
            merged.Add(j == b.Count || (i < a.Count && a[i].Index <= b[j].Index) ? a[i++] : b[j++]);
        }
        return merged;
    }


    /// <summary>How many events the index-ordered errors reject (an event may have several errors).</summary>
    public static int CountRejectedEvents(List<EventError> errors)
    {
        var count = 0;
        for (var i = 0; i < errors.Count; i++)
        {
            if (i == 0 || errors[i].Index != errors[i - 1].Index)
            {
                count++;
            }
        }
        return count;
    }
}
