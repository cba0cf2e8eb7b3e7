import pytest

from launchready_tui.core.net import Net, NetConfig, parse_connect_to, parse_nameserver


@pytest.mark.parametrize(
    "text,host,port",
    [("1.1.1.1", "1.1.1.1", 53), ("127.0.0.1:5353", "127.0.0.1", 5353), ("::1", "::1", 53), ("[::1]:5300", "::1", 5300)],
)
def test_nameserver(text, host, port):
    ns = parse_nameserver(text)
    assert (ns.host, ns.port) == (host, port)


@pytest.mark.parametrize("bad", ["dns.google", "1.1.1.1:99999", "1.1.1.1:x", "[::1"])
def test_bad_nameserver(bad):
    with pytest.raises(ValueError):
        parse_nameserver(bad)


def test_connect_to_curl_semantics():
    any_443 = parse_connect_to(":443::8443")
    assert any_443.matches("a.example", 443) and not any_443.matches("a.example", 80)
    net = Net(NetConfig(connect_to=(parse_connect_to("a.example:443:127.0.0.1:9443"), any_443)))
    assert net.map_connect("a.example", 443) == ("127.0.0.1", 9443)  # first match wins
    assert net.map_connect("b.example", 443) == ("b.example", 8443)  # keeps the host
    assert net.map_connect("b.example", 80) == ("b.example", 80)
    v6 = parse_connect_to("x.example:443:[::1]:8443")
    assert v6.to_host == "::1"


@pytest.mark.parametrize("bad", ["a:b", "a.example:443:127.0.0.1", "a:443::", "a:70000:b:1"])
def test_bad_connect_to(bad):
    with pytest.raises(ValueError):
        parse_connect_to(bad)
