using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace KC.Infrastructure.Persistence.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class AddImageClaims : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "claims",
                table: "images",
                type: "integer",
                nullable: false,
                defaultValue: 0);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "claims",
                table: "images");
        }
    }
}
