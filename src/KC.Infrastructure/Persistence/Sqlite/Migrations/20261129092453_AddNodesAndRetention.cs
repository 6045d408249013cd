using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace KC.Infrastructure.Persistence.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class AddNodesAndRetention : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "settled_by",
                table: "images",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "maintenance_leases",
                columns: table => new
                {
                    name = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    owner = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    expires_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_maintenance_leases", x => x.name);
                });

            migrationBuilder.CreateTable(
                name: "nodes",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    role = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    started_at = table.Column<long>(type: "INTEGER", nullable: false),
                    heartbeat_at = table.Column<long>(type: "INTEGER", nullable: false),
                    stopped_at = table.Column<long>(type: "INTEGER", nullable: true),
                    lost_at = table.Column<long>(type: "INTEGER", nullable: true),
                    images_settled = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_nodes", x => x.id);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "maintenance_leases");

            migrationBuilder.DropTable(
                name: "nodes");

            migrationBuilder.DropColumn(
                name: "settled_by",
                table: "images");
        }
    }
}
