using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace KC.Infrastructure.Persistence.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class InitialSchema : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "jobs",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    status = table.Column<int>(type: "INTEGER", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    completed_at = table.Column<DateTimeOffset>(type: "TEXT", nullable: true),
                    total_images = table.Column<int>(type: "INTEGER", nullable: false),
                    succeeded_images = table.Column<int>(type: "INTEGER", nullable: false),
                    failed_images = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_jobs", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "stores",
                columns: table => new
                {
                    store_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    store_name = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    area_code = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_stores", x => x.store_id);
                });

            migrationBuilder.CreateTable(
                name: "visits",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    job_id = table.Column<long>(type: "INTEGER", nullable: false),
                    store_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    visit_time = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    store_known = table.Column<bool>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_visits", x => x.id);
                    table.ForeignKey(
                        name: "FK_visits_jobs_job_id",
                        column: x => x.job_id,
                        principalTable: "jobs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "images",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    job_id = table.Column<long>(type: "INTEGER", nullable: false),
                    visit_id = table.Column<long>(type: "INTEGER", nullable: false),
                    seq = table.Column<int>(type: "INTEGER", nullable: false),
                    url = table.Column<string>(type: "TEXT", nullable: false),
                    state = table.Column<int>(type: "INTEGER", nullable: false),
                    attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    width = table.Column<int>(type: "INTEGER", nullable: true),
                    height = table.Column<int>(type: "INTEGER", nullable: true),
                    perimeter = table.Column<long>(type: "INTEGER", nullable: true),
                    error = table.Column<string>(type: "TEXT", nullable: true),
                    settled_at = table.Column<DateTimeOffset>(type: "TEXT", nullable: true),
                    lease_expires_at = table.Column<long>(type: "INTEGER", nullable: true),
                    lease_owner = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    next_attempt_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_images", x => x.id);
                    table.ForeignKey(
                        name: "FK_images_jobs_job_id",
                        column: x => x.job_id,
                        principalTable: "jobs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_images_visits_visit_id",
                        column: x => x.visit_id,
                        principalTable: "visits",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_images_visit_id",
                table: "images",
                column: "visit_id");

            migrationBuilder.CreateIndex(
                name: "ix_images_job_state_seq",
                table: "images",
                columns: new[] { "job_id", "state", "seq" });

            migrationBuilder.CreateIndex(
                name: "ix_images_pending_fair",
                table: "images",
                columns: new[] { "seq", "job_id" },
                filter: "state = 0");

            migrationBuilder.CreateIndex(
                name: "ix_images_processing_expiry",
                table: "images",
                column: "lease_expires_at",
                filter: "state = 1");

            migrationBuilder.CreateIndex(
                name: "ix_images_processing_owner",
                table: "images",
                column: "lease_owner",
                filter: "state = 1");

            migrationBuilder.CreateIndex(
                name: "ix_jobs_status_id",
                table: "jobs",
                columns: new[] { "status", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_stores_area_code",
                table: "stores",
                column: "area_code");

            migrationBuilder.CreateIndex(
                name: "ix_visits_job_id",
                table: "visits",
                column: "job_id");

            migrationBuilder.CreateIndex(
                name: "ix_visits_store_id_visit_time",
                table: "visits",
                columns: new[] { "store_id", "visit_time" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "images");

            migrationBuilder.DropTable(
                name: "stores");

            migrationBuilder.DropTable(
                name: "visits");

            migrationBuilder.DropTable(
                name: "jobs");
        }
    }
}
