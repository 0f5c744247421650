import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectPii } from './index';
import { isIPv4, isIPv6 } from './ipv6';

const ips = (text: string): string[] => detectPii(text, new Set(['IP_ADDRESS'])).map((m) => text.slice(m.start, m.end));

describe('IP_ADDRESS detector', () => {
  it('finds IPv4 addresses, with ports, CIDR suffixes and in URLs', () => {
    assert.deepEqual(ips('from 192.168.1.10, to 8.8.8.8.'), ['192.168.1.10', '8.8.8.8']);
    assert.deepEqual(ips('http://10.0.0.1:8080/health and 10.0.0.0/8 and root@172.16.0.5'), ['10.0.0.1', '10.0.0.0', '172.16.0.5']);
    assert.deepEqual(ips('0.0.0.0'), ['0.0.0.0']);
  });

  it('rejects longer dotted runs, versions, big or zero-padded octets', () => {
    for (const t of ['1.2.3.4.5', '10.0.19045.1234', 'v9.14.24', 'v1.2.3.4', 'version 4.3.2.1', '256.1.1.1', '192.168.01.1', '1.2.3', 'a1.2.3.4', '1.2.3.4x', 'section-8.1.2.2', '§ 6.2.2.1']) {
      assert.deepEqual(ips(t), [], t);
    }
  });

  it('finds IPv6 in full, compressed, mapped and link-local forms', () => {
    const valid = ['2001:0db8:85a3:0000:0000:8a2e:0370:7334', '2001:db8::8a2e:370:7334', '::1', 'fe80::1ff:fe23:4567:890a%eth0', '::ffff:192.0.2.128', '2001:DB8::FF00:42:8329', '2606:4700::6810:85e5'];
    for (const a of valid) assert.deepEqual(ips(`addr ${a}.`), [a], a);
    assert.deepEqual(ips('listen [2001:db8::1]:443'), ['2001:db8::1']);
    assert.deepEqual(ips('fe80::1:'), ['fe80::1'], 'a colon after the address');
  });

  it('rejects ::, times, MACs, double compression and code paths', () => {
    for (const t of ['::', ':: 1', '12:30:45', '10:30', '00:1a:2b:3c:4d:5e', '1::2::3', '1:2:3:4:5:6:7:8:9', 'std::vector', 'a::b', 'Foo::Bar', 'sha256:abcdef', '2001:db8::1%eth0']) {
      const got = ips(t);
      if (t === '2001:db8::1%eth0') assert.deepEqual(got, ['2001:db8::1'], 'a zone is kept only on link-local addresses');
      else assert.deepEqual(got, [], t);
    }
  });

  it('parsers', () => {
    assert.equal(isIPv4('255.255.255.255'), true);
    assert.equal(isIPv4('255.255.255.256'), false);
    assert.equal(isIPv6('1:2:3:4:5:6:7:8'), true);
    assert.equal(isIPv6('1:2:3:4:5:6:7::'), true);
    assert.equal(isIPv6('1:2:3:4:5:6:7:8::'), false);
    assert.equal(isIPv6('::ffff:1.2.3.4'), true);
    assert.equal(isIPv6('1.2.3.4::'), false);
    assert.equal(isIPv6('12345::1'), false);
  });
});
