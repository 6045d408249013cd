using System.Text;
using KC.Infrastructure.StoreMaster;

namespace KC.Infrastructure.IntegrationTests.StoreMaster;

[TestFixture]
public sealed class StoreMasterCsvParserTests
{
    /// <summary>Every row the parser yielded, and the rejected ones it listed and counted.</summary>
    private sealed record Parsed(IReadOnlyList<StoreMasterRow> Rows, IReadOnlyList<RejectedRow> Rejected, int RejectedTotal);

    private const string Header = "AreaCode,StoreName,StoreID";

    [Test]
    public void Parse_WhenNameIsQuotedWithCommasAndEscapedQuotes_ReadsWholeName()
    {
        var csv = Header + "\n7000129,\"BASHIR  PROV. STORE,-27\",RP00916\n7000129,\"The \"\"Best\"\", Store\",RP00917\n";

        var result = Parse(csv);

        Assert.That(result.Rejected, Is.Empty);
        Assert.That(result.Rows.Select(r => r.StoreName), Is.EqualTo(new[] { "BASHIR  PROV. STORE,-27", "The \"Best\", Store" }));
        Assert.That(result.Rows.Select(r => r.StoreId), Is.EqualTo(new[] { "RP00916", "RP00917" }));
    }

    [Test]
    public void Parse_WhenLinesEndWithCrLf_ReadsRowsWithTheirLines()
    {
        var csv = Header + "\r\n7100015,B P STORE,RP00001\r\n7100015,MONAJ STORE,RP00002\r\n";

        var result = Parse(csv);

        Assert.That(result.Rejected, Is.Empty);
        Assert.That(result.Rows, Is.EqualTo(new[]
        {
            new StoreMasterRow(2, "RP00001", "B P STORE", "7100015"),
            new StoreMasterRow(3, "RP00002", "MONAJ STORE", "7100015"),
        }));
    }

    [Test]
    public void Parse_WhenLinesEndWithLf_ReadsRowsWithTheirLines()
    {
        var csv = Header + "\n7100015,B P STORE,RP00001\n7100015,MONAJ STORE,RP00002\n";

        var result = Parse(csv);

        Assert.That(result.Rejected, Is.Empty);
        Assert.That(result.Rows.Select(r => (r.Line, r.StoreId)), Is.EqualTo(new[] { (2, "RP00001"), (3, "RP00002") }));
    }

    [Test]
    public void Parse_WhenLineEndingsAreMixed_ReadsRowsWithTheirLines()
    {
        var csv = Header + "\r\n1,A,RP00001\n2,B,RP00002\r\n3,\"C,\r\nD\",RP00003\n4,E,RP00004";

        var result = Parse(csv);

        Assert.That(result.Rejected, Is.Empty);
        Assert.That(result.Rows.Select(r => (r.Line, r.StoreId)), Is.EqualTo(new[] { (2, "RP00001"), (3, "RP00002"), (4, "RP00003"), (6, "RP00004") }));
    }

    [Test]
    public void Parse_WhenLastRowHasNoFinalNewline_ReadsLastRow()
    {
        var csv = Header + "\r\n7100015,B P STORE,RP00001\r\n7100015,\"Nikita Store, 2\",RP04944";

        var result = Parse(csv);

        Assert.That(result.Rejected, Is.Empty);
        Assert.That(result.Rows[^1], Is.EqualTo(new StoreMasterRow(3, "RP04944", "Nikita Store, 2", "7100015")));
    }

    [Test]
    public void Parse_WhenStreamStartsWithUtf8Bom_StripsBomFromFirstColumn()
    {
        byte[] bytes = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(Header + "\r\n7100015,B P STORE,RP00001\r\n")];
        using var stream = new MemoryStream(bytes);

        var result = Parse(stream);

        Assert.That(result.Rejected, Is.Empty);
        Assert.That(result.Rows, Is.EqualTo(new[] { new StoreMasterRow(2, "RP00001", "B P STORE", "7100015") }));
    }

    [Test]
    public void Parse_WhenStreamHasNoBom_ReadsUtf8()
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(Header + "\n7100015,\"Café, Zürich\",RP00001\n"));

        var result = Parse(stream);

        Assert.That(result.Rows.Single().StoreName, Is.EqualTo("Café, Zürich"));
    }

    [Test]
    public void Parse_WhenHeaderIsSnakeCaseInAnotherOrder_MapsColumnsByName()
    {
        var csv = "store_id,area_code,store_name\nRP00001,7100015,\"B P, STORE\"\n";

        var result = Parse(csv);

        Assert.That(result.Rejected, Is.Empty);
        Assert.That(result.Rows, Is.EqualTo(new[] { new StoreMasterRow(2, "RP00001", "B P, STORE", "7100015") }));
    }

    [Test]
    public void Parse_WhenHeaderDiffersInCaseAndSpacing_MapsColumns()
    {
        var csv = " storeid , STORENAME,areacode \nRP00001,B P STORE,7100015\n";

        var result = Parse(csv);

        Assert.That(result.Rows, Is.EqualTo(new[] { new StoreMasterRow(2, "RP00001", "B P STORE", "7100015") }));
    }

    [Test]
    public void Parse_WhenValuesHaveSurroundingSpaces_TrimsThem()
    {
        var csv = Header + "\n 7100015 ,  \" B P, STORE \" ,\tRP00001 \n";

        var result = Parse(csv);

        Assert.That(result.Rejected, Is.Empty);
        Assert.That(result.Rows, Is.EqualTo(new[] { new StoreMasterRow(2, "RP00001", "B P, STORE", "7100015") }));
    }

    [Test]
    public void Parse_WhenStoreIdIsRepeated_KeepsFirstAndRejectsLaterWithBothLines()
    {
        var csv = Header + "\n1,First,RP00001\n2,Other,RP00002\n3,Second, RP00001\n";

        var result = Parse(csv);

        Assert.That(result.Rows.Select(r => (r.Line, r.StoreName)), Is.EqualTo(new[] { (2, "First"), (3, "Other") }));
        Assert.That(result.Rejected, Is.EqualTo(new[] { new RejectedRow(4, "duplicate store_id RP00001 (first seen on line 2)") }));
    }

    [Test]
    public void Parse_WhenStoreIdsDifferOnlyInCase_KeepsBoth()
    {
        var csv = Header + "\n1,First,RP00001\n2,Second,rp00001\n";

        var result = Parse(csv);

        Assert.That(result.Rows, Has.Count.EqualTo(2));
        Assert.That(result.Rejected, Is.Empty);
    }

    [TestCase("1,Short", 2)]
    [TestCase("1,Long,RP00002,extra", 4)]
    [TestCase("\"\"", 1)]
    public void Parse_WhenRowHasWrongFieldCount_RejectsItWithLineAndKeepsNeighbours(string badRow, int fieldCount)
    {
        var csv = Header + "\n1,Before,RP00001\n" + badRow + "\n1,After,RP00003\n";

        var result = Parse(csv);

        Assert.That(result.Rows.Select(r => (r.Line, r.StoreId)), Is.EqualTo(new[] { (2, "RP00001"), (4, "RP00003") }));
        Assert.That(result.Rejected, Is.EqualTo(new[] { new RejectedRow(3, $"expected 3 fields, found {fieldCount}") }));
    }

    [Test]
    public void Parse_WhenQuotedFieldSpansLines_LaterRowsKeepPhysicalLineNumbers()
    {
        var csv = Header + "\n1,\"Two\nline\",RP00001\n2,\"Three\r\nline\nname\",RP00002\n3,Plain,RP00003\n4,Short\n";

        var result = Parse(csv);

        Assert.That(result.Rows.Select(r => (r.Line, r.StoreId)), Is.EqualTo(new[] { (2, "RP00001"), (4, "RP00002"), (7, "RP00003") }));
        Assert.That(result.Rows[1].StoreName, Is.EqualTo("Three\r\nline\nname"));
        Assert.That(result.Rejected, Is.EqualTo(new[] { new RejectedRow(8, "expected 3 fields, found 2") }));
    }

    [Test]
    public void Parse_WhenBlankLinesAppear_SkipsThemAndKeepsLineNumbers()
    {
        var csv = "\r\n" + Header + "\r\n\r\n1,A,RP00001\r\n   \r\n\n2,B,RP00002\r\n\r\n";

        var result = Parse(csv);

        Assert.That(result.Rejected, Is.Empty);
        Assert.That(result.Rows.Select(r => (r.Line, r.StoreId)), Is.EqualTo(new[] { (4, "RP00001"), (7, "RP00002") }));
    }

    [Test]
    public void Parse_WhenStoreIdIsBlank_RejectsRow()
    {
        var csv = Header + "\n1,Nameless id,  \n1,Kept,RP00002\n";

        var result = Parse(csv);

        Assert.That(result.Rows.Select(r => r.StoreId), Is.EqualTo(new[] { "RP00002" }));
        Assert.That(result.Rejected, Is.EqualTo(new[] { new RejectedRow(2, "blank store_id") }));
    }

    [Test]
    public void Parse_WhenStoreNameIsBlank_RejectsRow()
    {
        var csv = Header + "\n1,\"  \",RP00001\n1,Kept,RP00002\n";

        var result = Parse(csv);

        Assert.That(result.Rows.Select(r => r.StoreId), Is.EqualTo(new[] { "RP00002" }));
        Assert.That(result.Rejected, Is.EqualTo(new[] { new RejectedRow(2, "blank store_name") }));
    }

    [Test]
    public void Parse_WhenStoreIdAndNameAreBothBlank_NamesBothProblems()
    {
        var csv = Header + "\n1,,\n";

        var result = Parse(csv);

        Assert.That(result.Rejected, Is.EqualTo(new[] { new RejectedRow(2, "blank store_id; blank store_name") }));
    }

    [Test]
    public void Parse_WhenAreaCodeIsBlank_KeepsRow()
    {
        var csv = Header + "\n,No area,RP00001\n";

        var result = Parse(csv);

        Assert.That(result.Rows, Is.EqualTo(new[] { new StoreMasterRow(2, "RP00001", "No area", string.Empty) }));
    }

    [TestCase(65, 10, 5, "store_id longer than 64 characters (65)")]
    [TestCase(5, 257, 5, "store_name longer than 256 characters (257)")]
    [TestCase(5, 10, 33, "area_code longer than 32 characters (33)")]
    public void Parse_WhenValueExceedsItsMaximumLength_RejectsRow(int idLength, int nameLength, int areaLength, string reason)
    {
        var csv = $"{Header}\n{new string('A', areaLength)},{new string('N', nameLength)},{new string('I', idLength)}\n";

        var result = Parse(csv);

        Assert.That(result.Rows, Is.Empty);
        Assert.That(result.Rejected, Is.EqualTo(new[] { new RejectedRow(2, reason) }));
    }

    [Test]
    public void Parse_WhenValuesAreAtTheirMaximumLength_KeepsRow()
    {
        var csv = $"{Header}\n{new string('A', 32)},{new string('N', 256)},{new string('I', 64)}\n";

        var result = Parse(csv);

        Assert.That(result.Rejected, Is.Empty);
        Assert.That(result.Rows, Has.Count.EqualTo(1));
    }

    [Test]
    public void Parse_WhenQuoteAppearsInsideUnquotedField_RejectsRowAndKeepsGoing()
    {
        var csv = Header + "\n1,Before,RP00001\n1,Bad\"name,RP00002\n1,After,RP00003\n";

        var result = Parse(csv);

        Assert.That(result.Rows.Select(r => r.Line), Is.EqualTo(new[] { 2, 4 }));
        Assert.That(result.Rejected, Has.Count.EqualTo(1));
        Assert.That(result.Rejected[0].Line, Is.EqualTo(3));
        Assert.That(result.Rejected[0].Reason, Does.Contain("quote inside an unquoted field"));
    }

    [Test]
    public void Parse_WhenTextFollowsClosingQuote_RejectsRowAndKeepsGoing()
    {
        var csv = Header + "\n1,\"Bad\" name,RP00001\n1,After,RP00002\n";

        var result = Parse(csv);

        Assert.That(result.Rows.Select(r => (r.Line, r.StoreId)), Is.EqualTo(new[] { (3, "RP00002") }));
        Assert.That(result.Rejected.Select(r => r.Line), Is.EqualTo(new[] { 2 }));
        Assert.That(result.Rejected[0].Reason, Does.Contain("text after the closing quote"));
    }

    [Test]
    public void Parse_WhenQuoteIsNeverClosed_RejectsRecordNamingTheLinesItSwallowed()
    {
        var csv = Header + "\n1,Before,RP00001\n1,\"Unclosed,RP00002\n1,Lost,RP00003\n1,Lost too,RP00004\n";

        var result = Parse(csv);

        Assert.That(result.Rows.Select(r => r.StoreId), Is.EqualTo(new[] { "RP00001" }));
        Assert.That(result.Rejected, Has.Count.EqualTo(1));
        Assert.That(result.Rejected[0].Line, Is.EqualTo(3));
        Assert.That(result.Rejected[0].Reason, Does.StartWith("unterminated quoted field").And.EndWith("(lines 3-5)"));
    }

    [Test]
    public void Parse_WhenRejectionsComeFromDifferentChecks_ListsThemInLineOrder()
    {
        var csv = Header + "\n1,A,RP00001\n1,Bad\"quote,RP00002\n1,Short\n1,A again,RP00001\n1,\"x\"y,RP00005\n";

        var result = Parse(csv);

        Assert.That(result.Rejected.Select(r => r.Line), Is.EqualTo(new[] { 3, 4, 5, 6 }));
    }

    [Test]
    public void Parse_WhenColumnIsMissing_ThrowsNamingColumnAndHeader()
    {
        var csv = "AreaCode,StoreName\n1,A\n";

        var ex = Assert.Throws<StoreMasterFormatException>(() => Parse(csv));

        Assert.That(ex.Message, Does.Contain("StoreID").And.Contain("AreaCode,StoreName"));
        Assert.That(ex.Message, Does.Not.Contain("StoreName (or"));
    }

    [Test]
    public void Parse_WhenColumnIsNamedTwice_Throws()
    {
        var csv = "AreaCode,StoreName,StoreID,store_id\n1,A,RP00001,RP00002\n";

        var ex = Assert.Throws<StoreMasterFormatException>(() => Parse(csv));

        Assert.That(ex.Message, Does.Contain("StoreID").And.Contain("twice"));
    }

    [Test]
    public void Parse_WhenHeaderIsMalformed_ThrowsInsteadOfTakingFirstRowAsHeader()
    {
        var csv = "AreaCode,Store\"Name,StoreID\nAreaCode,StoreName,StoreID\n1,A,RP00001\n";

        var ex = Assert.Throws<StoreMasterFormatException>(() => Parse(csv));

        Assert.That(ex.Message, Does.Contain("line 1"));
    }

    [TestCase("")]
    [TestCase("\r\n\n")]
    public void Parse_WhenInputHasNoHeader_Throws(string csv)
    {
        var ex = Assert.Throws<StoreMasterFormatException>(() => Parse(csv));

        Assert.That(ex.Message, Does.Contain("empty"));
    }

    [Test]
    public void Parse_WhenOnlyHeaderIsPresent_ReturnsNothing()
    {
        var result = Parse(Header);

        Assert.That(result.Rows, Is.Empty);
        Assert.That(result.Rejected, Is.Empty);
    }

    [Test]
    public void Parse_WhenExtraColumnIsPresent_IgnoresIt()
    {
        var csv = "Region,AreaCode,StoreName,StoreID\nNorth,1,A,RP00001\n";

        var result = Parse(csv);

        Assert.That(result.Rows, Is.EqualTo(new[] { new StoreMasterRow(2, "RP00001", "A", "1") }));
    }

    [Test]
    public void Parse_WhenRealMasterIsRead_ReturnsEveryStoreAndNoRejections()
    {
        var path = RealMasterPath();
        if (!File.Exists(path))
        {
            Assert.Ignore($"The real store master is not present at {path}.");
        }

        using var stream = File.OpenRead(path);

        var result = Parse(stream);

        Assert.That(result.Rejected, Is.Empty);
        Assert.That(result.Rows, Has.Count.EqualTo(4944));
        Assert.That(result.Rows[0], Is.EqualTo(new StoreMasterRow(2, "RP00001", "B P STORE", "7100015")));
        Assert.That(result.Rows[^1], Is.EqualTo(new StoreMasterRow(4945, "RP04944", "Nikita Store 2", "7100015")));
        Assert.That(result.Rows.Single(r => r.StoreId == "RP00916").StoreName, Is.EqualTo("BASHIR  PROV. STORE,-27"));
        Assert.That(result.Rows.Count(r => r.StoreName.Contains(',', StringComparison.Ordinal)), Is.EqualTo(345));
    }

    [Test]
    public void Parse_WhenMoreRowsAreRejectedThanAreListed_ListsTheFirstByLineAndCountsThemAll()
    {
        var csv = new StringBuilder(Header + "\n1,Kept,RP00001\n");
        for (var i = 0; i < 250; i++)
        {
            csv.Append(i % 2 == 0 ? "garbage\n" : "1,\"Bad\"quote,RP99999\n");
        }

        var result = Parse(csv.ToString());

        Assert.That(result.Rows.Select(r => r.StoreId), Is.EqualTo(new[] { "RP00001" }));
        Assert.That(result.RejectedTotal, Is.EqualTo(250));
        Assert.That(result.Rejected.Select(r => r.Line), Is.EqualTo(Enumerable.Range(3, StoreImportSummary.MaxListedRejections)), "the first 100 by line, from both checks");
        Assert.That(result.Rejected[0].Reason, Is.EqualTo("expected 3 fields, found 1"));
        Assert.That(result.Rejected[1].Reason, Does.Contain("text after the closing quote"));
    }

    [Test]
    public void Parse_WhenRejectionsArriveOutOfLineOrder_KeepsTheLowestLinesInOrder()
    {
        var rejected = new RejectedRows(listLimit: 3);

        foreach (var line in new[] { 9, 4, 7, 2, 8, 3 })
        {
            rejected.Add(line, $"line {line}");
        }

        Assert.That(rejected.Listed.Select(r => r.Line), Is.EqualTo(new[] { 2, 3, 4 }));
        Assert.That(rejected.Total, Is.EqualTo(6));
        Assert.That(rejected.WouldList(5), Is.False);
        Assert.That(rejected.WouldList(1), Is.True);
    }

    [Test]
    public async Task Parse_WhenFileIsMostlyGarbage_YieldsEachRowBeforeReadingTheRestAndCountsEveryRejection()
    {
        // 4 MiB of one-field rows between two stores.
        const int garbageRows = 2 * 1024 * 1024;
        var csv = new StringBuilder(Header + "\n1,First,RP00001\n");
        csv.Insert(csv.Length, "x\n", garbageRows);
        csv.Append("1,Last,RP00002\n");
        await using var stream = new MemoryStream(Encoding.UTF8.GetBytes(csv.ToString()));
        var rejected = new RejectedRows();

        await using var rows = StoreMasterCsvParser.ParseAsync(stream, rejected).GetAsyncEnumerator();
        var first = await rows.MoveNextAsync() ? rows.Current : null;
        var readForFirst = stream.Position;
        var last = await rows.MoveNextAsync() ? rows.Current : null;
        var more = await rows.MoveNextAsync();

        Assert.That(first, Is.EqualTo(new StoreMasterRow(2, "RP00001", "First", "1")));
        Assert.That(readForFirst, Is.LessThan(256 * 1024), "the first row comes out before the file has been read");
        Assert.That(last, Is.EqualTo(new StoreMasterRow(garbageRows + 3, "RP00002", "Last", "1")));
        Assert.That(more, Is.False);
        Assert.That(rejected.Total, Is.EqualTo(garbageRows));
        Assert.That(rejected.Listed, Has.Count.EqualTo(StoreImportSummary.MaxListedRejections));
        Assert.That(rejected.Listed[^1], Is.EqualTo(new RejectedRow(StoreImportSummary.MaxListedRejections + 2, "expected 3 fields, found 1")));
    }

    [Test]
    public void Parse_WhenARecordIsLongerThanTheLimit_ThrowsNamingItsLine()
    {
        // An unclosed quote on line 3 makes the rest of the file one record.
        var csv = new StringBuilder(Header + "\n1,Before,RP00001\n1,\"Unclosed,RP00002\n");
        for (var swallowed = 0; swallowed <= 3 * StoreMasterCsvParser.MaxRecordBytes; swallowed += 20)
        {
            csv.Append("1,Swallowed,RP00003\n");
        }

        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(csv.ToString()));

        var ex = Assert.Throws<StoreMasterFormatException>(() => Parse(stream));

        Assert.That(ex.Message, Does.StartWith($"The store master could not be read on from line 3: a record there is longer than {StoreMasterCsvParser.MaxRecordBytes} bytes"));
    }

    private static Parsed Parse(string csv)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(csv));
        return Parse(stream);
    }

    private static Parsed Parse(Stream stream)
    {
        var rejected = new RejectedRows();
        var rows = StoreMasterCsvParser.ParseAsync(stream, rejected).ToBlockingEnumerable().ToList();
        return new Parsed(rows, rejected.Listed, rejected.Total);
    }

    // The real master lives beside the repository (../shared/data), not inside it.
    private static string RealMasterPath()
    {
        var directory = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "KC.sln")))
        {
            directory = directory.Parent;
        }

        return directory is null
            ? string.Empty
            : Path.GetFullPath(Path.Combine(directory.FullName, "..", "shared", "data", "StoreMasterAssignment.csv"));
    }
}
