using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace KC.Infrastructure.Persistence.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class RecordTraceAndImageTimings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "traceparent",
                table: "jobs",
                type: "character varying(55)",
                maxLength: 55,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "bytes",
                table: "images",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "download_ms",
                table: "images",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "gpu_ms",
                table: "images",
                type: "integer",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "traceparent",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "bytes",
                table: "images");

            migrationBuilder.DropColumn(
                name: "download_ms",
                table: "images");

            migrationBuilder.DropColumn(
                name: "gpu_ms",
                table: "images");
        }
    }
}
