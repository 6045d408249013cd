using KC.Domain.Common;
using KC.Domain.Stores;

namespace KC.Domain.UnitTests.Stores;

[TestFixture]
public sealed class StoreTests
{
    private static Store Create(string storeId = "RP00001", string storeName = "B P STORE", string areaCode = "7100015") =>
        Store.Create(storeId, storeName, areaCode);

    [Test]
    public void Create_WhenValuesHaveSurroundingSpaces_StoresThemTrimmed()
    {
        var store = Create(storeId: " RP00001 ", storeName: "  BHARAT STORE ", areaCode: " 710006 ");

        Assert.That((store.StoreId, store.StoreName, store.AreaCode), Is.EqualTo(("RP00001", "BHARAT STORE", "710006")));
    }

    [Test]
    public void Create_WhenAreaCodeIsNull_StoresEmptyAreaCode()
    {
        var store = Create(areaCode: null!);

        Assert.That(store.AreaCode, Is.Empty);
    }

    [TestCase("")]
    [TestCase("   ")]
    public void Create_WhenIdIsBlank_ThrowsStoreHasId(string storeId)
    {
        Action act = () => Create(storeId: storeId);

        Assert.That(act, Throws.TypeOf<DomainRuleException>().With.Property(nameof(DomainRuleException.Rule)).EqualTo(Store.StoreHasId));
    }

    [Test]
    public void Create_WhenIdIsNull_ThrowsStoreHasId()
    {
        Action act = () => Create(storeId: null!);

        Assert.That(act, Throws.TypeOf<DomainRuleException>().With.Property(nameof(DomainRuleException.Rule)).EqualTo(Store.StoreHasId));
    }

    [Test]
    public void Create_WhenIdIsLongerThanMaximum_ThrowsStoreHasId()
    {
        Action act = () => Create(storeId: new string('S', Store.MaxIdLength + 1));

        Assert.That(act, Throws.TypeOf<DomainRuleException>().With.Property(nameof(DomainRuleException.Rule)).EqualTo(Store.StoreHasId));
    }

    [Test]
    public void Create_WhenIdHasMaximumLengthAfterTrimming_Accepts()
    {
        var id = new string('S', Store.MaxIdLength);

        var store = Create(storeId: $"  {id}  ");

        Assert.That(store.StoreId, Is.EqualTo(id));
    }

    [TestCase("")]
    [TestCase("  ")]
    public void Create_WhenNameIsBlank_ThrowsStoreHasName(string storeName)
    {
        Action act = () => Create(storeName: storeName);

        Assert.That(act, Throws.TypeOf<DomainRuleException>().With.Property(nameof(DomainRuleException.Rule)).EqualTo(Store.StoreHasName));
    }

    [Test]
    public void Create_WhenNameIsLongerThanMaximum_ThrowsStoreHasName()
    {
        Action act = () => Create(storeName: new string('N', Store.MaxNameLength + 1));

        Assert.That(act, Throws.TypeOf<DomainRuleException>().With.Property(nameof(DomainRuleException.Rule)).EqualTo(Store.StoreHasName));
    }

    [Test]
    public void Create_WhenNameAndAreaCodeHaveMaximumLength_Accepts()
    {
        var name = new string('N', Store.MaxNameLength);
        var area = new string('7', Store.MaxAreaCodeLength);

        var store = Create(storeName: name, areaCode: area);

        Assert.That((store.StoreName, store.AreaCode), Is.EqualTo((name, area)));
    }

    [Test]
    public void Create_WhenAreaCodeIsLongerThanMaximum_Throws()
    {
        Action act = () => Create(areaCode: new string('7', Store.MaxAreaCodeLength + 1));

        Assert.That(act, Throws.TypeOf<DomainRuleException>().With.Property(nameof(DomainRuleException.Rule)).EqualTo(Store.StoreHasName));
    }

    [Test]
    public void Rename_WhenNameOrAreaDiffers_UpdatesAndReturnsTrue()
    {
        var store = Create();

        var changed = store.Rename("MONAJ STORE", "7100016");

        Assert.That(changed, Is.True);
        Assert.That((store.StoreId, store.StoreName, store.AreaCode), Is.EqualTo(("RP00001", "MONAJ STORE", "7100016")));
    }

    [Test]
    public void Rename_WhenOnlyAreaCodeDiffers_ReturnsTrue()
    {
        var store = Create();

        var changed = store.Rename("B P STORE", "7100016");

        Assert.That(changed, Is.True);
        Assert.That(store.AreaCode, Is.EqualTo("7100016"));
    }

    [Test]
    public void Rename_WhenValuesDifferOnlyBySurroundingSpaces_ReturnsFalse()
    {
        var store = Create();

        var changed = store.Rename(" B P STORE ", "7100015  ");

        Assert.That(changed, Is.False);
        Assert.That((store.StoreName, store.AreaCode), Is.EqualTo(("B P STORE", "7100015")));
    }

    [Test]
    public void Rename_WhenNameIsBlank_ThrowsAndKeepsTheOldName()
    {
        var store = Create();

        Action act = () => store.Rename(" ", "7100015");

        Assert.That(act, Throws.TypeOf<DomainRuleException>().With.Property(nameof(DomainRuleException.Rule)).EqualTo(Store.StoreHasName));
        Assert.That(store.StoreName, Is.EqualTo("B P STORE"));
    }

    [Test]
    public void Rename_WhenAreaCodeIsTooLong_ThrowsAndKeepsTheOldValues()
    {
        var store = Create();

        Action act = () => store.Rename("MONAJ STORE", new string('7', Store.MaxAreaCodeLength + 1));

        Assert.That(act, Throws.TypeOf<DomainRuleException>());
        Assert.That((store.StoreName, store.AreaCode), Is.EqualTo(("B P STORE", "7100015")));
    }
}
