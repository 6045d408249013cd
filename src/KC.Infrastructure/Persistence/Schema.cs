namespace KC.Infrastructure.Persistence;

/// <summary>Table and column names shared by the EF model and the hand-written SQL.</summary>
internal static class Schema
{
    public static class Jobs
    {
        public const string Table = "jobs";
    }

    public static class Visits
    {
        public const string Table = "visits";
    }

    public static class Images
    {
        public const string Table = "images";

        // Queue bookkeeping: not part of the domain, so shadow properties in the model.
        public const string LeaseOwner = "lease_owner";
        public const string LeaseExpiresAt = "lease_expires_at";
        public const string NextAttemptAt = "next_attempt_at";

        /// <summary>Claims that ended without an outcome, and the current one (see ProcessingOptions.MaxClaims).</summary>
        public const string Claims = "claims";

        /// <summary>The node that recorded the image's outcome.</summary>
        public const string SettledBy = "settled_by";
    }

    public static class Stores
    {
        public const string Table = "stores";
    }

    public static class IdempotencyKeys
    {
        public const string Table = "idempotency_keys";
    }

    public static class CallbackDeliveries
    {
        public const string Table = "callback_deliveries";
    }

    public static class CallbackAttempts
    {
        public const string Table = "callback_attempts";
    }

    public static class Nodes
    {
        public const string Table = "nodes";

        /// <summary>The longest <c>Node:Id</c>; <c>settled_by</c> and the housekeeping leases hold node ids.</summary>
        public const int MaxIdLength = 200;

        /// <summary>An image's lease owner is a run of a node: <c>{node id}/{run id}</c>.</summary>
        public const int MaxLeaseOwnerLength = MaxIdLength + 1 + KC.Application.Processing.NodeIdentity.RunIdLength;

        /// <summary>Host names longer than this (no common system has them) are cut to it.</summary>
        public const int MaxHostNameLength = 255;
    }

    public static class MaintenanceLeases
    {
        public const string Table = "maintenance_leases";
    }
}
