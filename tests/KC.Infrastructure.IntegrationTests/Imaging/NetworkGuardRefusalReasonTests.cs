using System.Net;
using KC.Infrastructure.Imaging;

namespace KC.Infrastructure.IntegrationTests.Imaging;

[TestFixture]
public sealed class NetworkGuardRefusalReasonTests
{
    [TestCase("127.0.0.1", "loopback")]
    [TestCase("127.1.2.3", "loopback")]
    [TestCase("127.255.255.254", "loopback")]
    [TestCase("::1", "loopback")]
    [TestCase("::ffff:127.0.0.1", "loopback")]
    [TestCase("0.0.0.0", "unspecified")]
    [TestCase("0.1.2.3", "unspecified")]
    [TestCase("::", "unspecified")]
    [TestCase("10.0.0.1", "private network")]
    [TestCase("10.255.255.255", "private network")]
    [TestCase("172.16.0.1", "private network")]
    [TestCase("172.31.255.255", "private network")]
    [TestCase("192.168.1.1", "private network")]
    [TestCase("::ffff:10.0.0.1", "private network")]
    [TestCase("64:ff9b::10.0.0.1", "private network")]
    [TestCase("64:ff9b::a9fe:a9fe", "link-local")]
    [TestCase("2002:a00:1::1", "private network")]
    [TestCase("2002:7f00:1::", "loopback")]
    [TestCase("::192.168.0.1", "private network")]
    [TestCase("169.254.169.254", "link-local")]
    [TestCase("169.254.0.1", "link-local")]
    [TestCase("::ffff:169.254.169.254", "link-local")]
    [TestCase("100.64.0.1", "shared address space")]
    [TestCase("100.127.255.255", "shared address space")]
    [TestCase("192.0.0.8", "reserved")]
    [TestCase("fe80::1", "link-local")]
    [TestCase("fc00::1", "unique-local")]
    [TestCase("fd12::1", "unique-local")]
    [TestCase("fd00:ec2::254", "unique-local")]
    [TestCase("224.0.0.1", "multicast or reserved")]
    [TestCase("240.0.0.1", "multicast or reserved")]
    [TestCase("255.255.255.255", "multicast or reserved")]
    [TestCase("ff02::1", "multicast or reserved")]
    public void RefusalReason_WhenAddressIsNotPublic_NamesTheReason(string address, string expected)
    {
        var ip = IPAddress.Parse(address);

        var reason = NetworkGuard.RefusalReason(ip);

        Assert.That(reason, Is.EqualTo(expected));
    }

    [TestCase("8.8.8.8")]
    [TestCase("64:ff9b::808:808")]
    [TestCase("2002:808:808::1")]
    [TestCase("2001:4860:4860::8888")]
    [TestCase("1.1.1.1")]
    [TestCase("203.0.113.10")]
    [TestCase("172.32.0.1")]
    [TestCase("172.15.255.255")]
    [TestCase("100.63.255.255")]
    [TestCase("100.128.0.1")]
    [TestCase("169.253.0.1")]
    [TestCase("192.169.0.1")]
    [TestCase("11.0.0.1")]
    [TestCase("126.255.255.255")]
    [TestCase("128.0.0.1")]
    [TestCase("223.255.255.255")]
    [TestCase("::ffff:8.8.8.8")]
    [TestCase("2606:4700::1111")]
    [TestCase("2001:4860:4860::8888")]
    public void RefusalReason_WhenAddressIsPublic_ReturnsNull(string address)
    {
        var ip = IPAddress.Parse(address);

        var reason = NetworkGuard.RefusalReason(ip);

        Assert.That(reason, Is.Null);
    }

    [Test]
    public void RefusalReason_WhenAddressIsNull_ThrowsArgumentNullException()
    {
        IPAddress? address = null;

        var act = () => NetworkGuard.RefusalReason(address!);

        Assert.That(act, Throws.ArgumentNullException);
    }
}
