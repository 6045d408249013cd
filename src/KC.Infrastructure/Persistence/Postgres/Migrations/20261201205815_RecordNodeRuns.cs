using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace KC.Infrastructure.Persistence.Postgres.Migrations
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
                type: "character varying(255)",
                maxLength: 255,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "process_id",
                table: "nodes",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "run_id",
                table: "nodes",
                type: "character varying(16)",
                maxLength: 16,
                nullable: true);

            migrationBuilder.AlterColumn<string>(
                name: "lease_owner",
                table: "images",
                type: "character varying(217)",
                maxLength: 217,
                nullable: true,
                oldClrType: typeof(string),
                oldType: "character varying(200)",
                oldMaxLength: 200,
                oldNullable: true);
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

            migrationBuilder.AlterColumn<string>(
                name: "lease_owner",
                table: "images",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true,
                oldClrType: typeof(string),
                oldType: "character varying(217)",
                oldMaxLength: 217,
                oldNullable: true);
        }
    }
}
