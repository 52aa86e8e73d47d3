"""Which addresses webhooks may reach."""

import ipaddress

import pytest

from frontline.webhooks.addresses import Allowlist, Refused, check, refusal


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("127.0.0.2", "loopback"),
        ("::1", "loopback"),
        ("0.0.0.0", "unspecified"),  # noqa: S104  # an address under test, not a bind
        ("::", "unspecified"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("fc00::1", "private"),
        ("169.254.1.1", "link-local"),
        ("fe80::1", "link-local"),
        ("169.254.169.254", "metadata"),
        ("fd00:ec2::254", "metadata"),
        ("100.100.100.200", "metadata"),
        ("100.64.0.1", "not a public address"),
        ("224.0.0.1", "multicast"),
        ("239.255.255.250", "multicast"),
        ("ff02::1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:169.254.169.254", "metadata"),
        ("64:ff9b::a00:1", "private"),
        ("2002:7f00:1::", "loopback"),
        ("192.0.2.10", "private"),
    ],
)
def test_non_public_addresses_are_refused_with_a_reason(address, reason):
    found = refusal(ipaddress.ip_address(address))
    assert found is not None
    assert reason in found


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_are_allowed(address):
    assert refusal(ipaddress.ip_address(address)) is None


def test_the_allowlist_takes_host_names_addresses_and_networks():
    allowlist = Allowlist.parse(" Hooks.Corp.Example. , 10.20.0.0/16,192.168.1.5,,")
    assert allowlist.hosts == frozenset({"hooks.corp.example"})
    assert allowlist.allows_host("HOOKS.corp.example")
    assert allowlist.allows_address(ipaddress.ip_address("10.20.3.4"))
    assert allowlist.allows_address(ipaddress.ip_address("192.168.1.5"))
    assert not allowlist.allows_address(ipaddress.ip_address("10.21.0.1"))
    assert not allowlist.allows_address(ipaddress.ip_address("::1"))
    assert Allowlist.parse(["localhost", "127.0.0.1"]) == Allowlist(
        hosts=frozenset({"localhost"}), networks=(ipaddress.ip_network("127.0.0.1/32"),)
    )


def test_every_resolved_address_is_checked_not_only_the_first():
    with pytest.raises(Refused, match=r"hooks.example.com \(10.0.0.7\) is a private address"):
        check("hooks.example.com", ["93.184.216.34", "10.0.0.7"], Allowlist())


def test_allowlisted_hosts_and_networks_pass_the_check():
    allowlist = Allowlist.parse("intranet.corp.example,10.20.0.0/16")
    assert check("intranet.corp.example", ["10.9.9.9"], allowlist) == [ipaddress.ip_address("10.9.9.9")]
    assert check("other.corp.example", ["10.20.0.8"], allowlist) == [ipaddress.ip_address("10.20.0.8")]
    with pytest.raises(Refused, match="loopback"):
        check("other.corp.example", ["127.0.0.1"], allowlist)


def test_a_host_without_addresses_is_refused():
    with pytest.raises(Refused, match="has no address"):
        check("nothing.example", [], Allowlist())
