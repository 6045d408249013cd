namespace KC.Application.Common.Interfaces;

/// <summary>Tells this node's worker that a job was cancelled, so its images in flight stop at once.</summary>
public interface IJobCancellationSignal
{
    void JobCancelled(long jobId);
}
