using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace KC.Infrastructure.Persistence.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class RecordNodeRuns : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "host_name",
                table: "nodes",
                type: "TEXT",
                maxLength: 255,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "process_id",
                table: "nodes",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "run_id",
                table: "nodes",
                type: "TEXT",
                maxLength: 16,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "host_name",
                table: "nodes");

            migrationBuilder.DropColumn(
                name: "process_id",
                table: "nodes");

            migrationBuilder.DropColumn(
                name: "run_id",
                table: "nodes");
        }
    }
}
