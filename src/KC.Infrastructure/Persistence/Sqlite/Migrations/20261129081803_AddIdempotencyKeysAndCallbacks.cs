using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace KC.Infrastructure.Persistence.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class AddIdempotencyKeysAndCallbacks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "callback_url",
                table: "jobs",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "callback_deliveries",
                columns: table => new
                {
                    job_id = table.Column<long>(type: "INTEGER", nullable: false),
                    url = table.Column<string>(type: "TEXT", nullable: false),
                    state = table.Column<int>(type: "INTEGER", nullable: false),
                    attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    next_attempt_at = table.Column<long>(type: "INTEGER", nullable: false),
                    lease_owner = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    lease_expires_at = table.Column<long>(type: "INTEGER", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    completed_at = table.Column<DateTimeOffset>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_callback_deliveries", x => x.job_id);
                    table.ForeignKey(
                        name: "FK_callback_deliveries_jobs_job_id",
                        column: x => x.job_id,
                        principalTable: "jobs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "idempotency_keys",
                columns: table => new
                {
                    idempotency_key = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    request_hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    job_id = table.Column<long>(type: "INTEGER", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    expires_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_idempotency_keys", x => x.idempotency_key);
                    table.ForeignKey(
                        name: "FK_idempotency_keys_jobs_job_id",
                        column: x => x.job_id,
                        principalTable: "jobs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "callback_attempts",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    job_id = table.Column<long>(type: "INTEGER", nullable: false),
                    attempted_at = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    status_code = table.Column<int>(type: "INTEGER", nullable: true),
                    error = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_callback_attempts", x => x.id);
                    table.ForeignKey(
                        name: "FK_callback_attempts_callback_deliveries_job_id",
                        column: x => x.job_id,
                        principalTable: "callback_deliveries",
                        principalColumn: "job_id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_callback_attempts_job_id",
                table: "callback_attempts",
                columns: new[] { "job_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_callback_deliveries_due",
                table: "callback_deliveries",
                column: "next_attempt_at",
                filter: "state = 0");

            migrationBuilder.CreateIndex(
                name: "ix_idempotency_keys_expires_at",
                table: "idempotency_keys",
                column: "expires_at");

            migrationBuilder.CreateIndex(
                name: "ix_idempotency_keys_job_id",
                table: "idempotency_keys",
                column: "job_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "callback_attempts");

            migrationBuilder.DropTable(
                name: "idempotency_keys");

            migrationBuilder.DropTable(
                name: "callback_deliveries");

            migrationBuilder.DropColumn(
                name: "callback_url",
                table: "jobs");
        }
    }
}
