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

        /// <summary>Node ids are lease owners: the lease columns hold the same length.</summary>
        public const int MaxIdLength = 200;
    }

    public static class MaintenanceLeases
    {
        public const string Table = "maintenance_leases";
    }
}
