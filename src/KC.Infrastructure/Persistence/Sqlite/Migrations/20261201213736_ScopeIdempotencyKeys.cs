using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace KC.Infrastructure.Persistence.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class ScopeIdempotencyKeys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "PK_idempotency_keys",
                table: "idempotency_keys");

            migrationBuilder.AddColumn<string>(
                name: "scope",
                table: "idempotency_keys",
                type: "TEXT",
                maxLength: 64,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddPrimaryKey(
                name: "PK_idempotency_keys",
                table: "idempotency_keys",
                columns: new[] { "scope", "idempotency_key" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "PK_idempotency_keys",
                table: "idempotency_keys");

            migrationBuilder.DropColumn(
                name: "scope",
                table: "idempotency_keys");

            migrationBuilder.AddPrimaryKey(
                name: "PK_idempotency_keys",
                table: "idempotency_keys",
                column: "idempotency_key");
        }
    }
}
