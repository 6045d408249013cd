using KC.Domain.Common;
using KC.Domain.Jobs;

namespace KC.Domain.UnitTests.Jobs;

[TestFixture]
public sealed class ImageSizeTests
{
    [TestCase(0, 480)]
    [TestCase(640, 0)]
    [TestCase(-1, 480)]
    [TestCase(640, -1)]
    [TestCase(int.MinValue, int.MinValue)]
    public void Constructor_WhenSideIsNotPositive_ThrowsImageSizeIsPositive(int width, int height)
    {
        Action act = () => _ = new ImageSize(width, height);

        Assert.That(act, Throws.TypeOf<DomainRuleException>().With.Property(nameof(DomainRuleException.Rule)).EqualTo(JobRules.ImageSizeIsPositive));
    }

    [TestCase(640, 480, 2240L)]
    [TestCase(1, 1, 4L)]
    [TestCase(1920, 1080, 6000L)]
    public void Perimeter_WhenSizeIsPositive_IsTwiceWidthPlusHeight(int width, int height, long perimeter)
    {
        var size = new ImageSize(width, height);

        Assert.That((size.Width, size.Height, size.Perimeter), Is.EqualTo((width, height, perimeter)));
    }

    [Test]
    public void Perimeter_WhenSidesAreIntMaxValue_DoesNotOverflow()
    {
        var size = new ImageSize(int.MaxValue, int.MaxValue);

        Assert.That(size.Perimeter, Is.EqualTo(4L * int.MaxValue));
    }
}
