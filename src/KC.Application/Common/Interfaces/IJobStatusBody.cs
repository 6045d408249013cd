namespace KC.Application.Common.Interfaces;

/// <summary>
/// Writes a job's status as <c>GET /api/status</c> answers it. A completion callback POSTs these
/// bytes, so the API's own contract types and serializer write them: one wire shape, one owner.
/// </summary>
public interface IJobStatusBody
{
    byte[] Write(JobStatusView status);
}
