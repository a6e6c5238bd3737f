using Berth.Config;

namespace Berth.Tests.Config;

public sealed class ListenAddressParserTests
{
    private static readonly SourceSpan Here = new("berth.yml", 3);

    [Theory]
    [InlineData("127.0.0.1:8000", "127.0.0.1", 8000, "127.0.0.1:8000")]
    [InlineData(":8000", "0.0.0.0", 8000, "0.0.0.0:8000")]
    [InlineData("*:80", "0.0.0.0", 80, "0.0.0.0:80")]
    [InlineData("0.0.0.0:443", "0.0.0.0", 443, "0.0.0.0:443")]
    [InlineData("localhost:8000", "localhost", 8000, "localhost:8000")]
    [InlineData("LOCALHOST:8000", "localhost", 8000, "localhost:8000")]
    [InlineData("[::1]:8000", "::1", 8000, "[::1]:8000")]
    [InlineData("[0:0::1]:8000", "::1", 8000, "[::1]:8000")]
    [InlineData("[::]:8000", "::", 8000, "[::]:8000")]
    [InlineData("127.0.0.1:70000", "127.0.0.1", 70000, "127.0.0.1:70000")] // read here, refused by ListenAddressValidator
    public void Reads_tcp_addresses(string text, string host, int port, string canonical)
    {
        Assert.True(ListenAddressParser.TryParse(text, Here, "/srv/app", out ListenAddress? address, out _));
        Assert.Equal((host, port, (string?)null, Here), (address!.Host, address.Port, address.UnixPath, address.Source));
        Assert.Equal(canonical, address.ToString());
    }

    [Theory]
    [InlineData("unix:/run/berth.sock", "/run/berth.sock")]
    [InlineData("unix:///run/berth.sock", "/run/berth.sock")]
    [InlineData("unix:berth.sock", "/srv/app/berth.sock")]
    public void Reads_unix_sockets(string text, string path)
    {
        Assert.True(ListenAddressParser.TryParse(text, Here, "/srv/app", out ListenAddress? address, out _));
        Assert.True(address!.IsUnix);
        Assert.Equal(path, address.UnixPath);
        Assert.Equal("unix:" + path, address.ToString());
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("8000", "is a port without an address (:8000 listens on every interface, 127.0.0.1:8000 on this machine only)")]
    [InlineData("localhost", "has no port")]
    [InlineData("example.com:80", "names `example.com`, which is not an IP address (berth listens on addresses; host names go under hosts:)")]
    [InlineData("1:80", "names `1`, which is not an IP address (berth listens on addresses; host names go under hosts:)")]
    [InlineData("::1:8000", "looks like an IPv6 address without the brackets it needs around it")]
    [InlineData("[::1]", "has no port after the address")]
    [InlineData("[example]:80", "has brackets but no IPv6 address inside them")]
    [InlineData("[127.0.0.1]:80", "has brackets but no IPv6 address inside them")]
    [InlineData("127.0.0.1:", "has no port after the colon")]
    [InlineData("127.0.0.1:http", "has `http` where the port number should be")]
    [InlineData("127.0.0.1:-1", "has `-1` where the port number should be")]
    [InlineData("127.0.0.1:99999999999", "has `99999999999` where the port number should be")]
    [InlineData("unix:", "names no socket path after unix:")]
    public void Says_what_is_wrong(string text, string problem)
    {
        Assert.False(ListenAddressParser.TryParse(text, Here, "/srv/app", out ListenAddress? address, out string actual));
        Assert.Null(address);
        Assert.Equal(problem, actual);
    }
}
