#!/usr/bin/env python3
"""VM ring, synthetic network: the guest's enl_netvsc against enl-host
--nic (the network VSP, a multi-queue TAP in the test's own network
namespace), one guest on 2 vCPUs.

Before the driver there is no NIC in the guest; modprobe makes eth0 with
the host's MAC, NVSP 6.1, 2 queues, TX checksum, TSO and RX checksum on,
and enl-status counts it as synthetic; each send queue's BQL floor is
256 KiB. Ping both ways; iperf3 TCP guest
to host and host to guest and UDP both ways (the figures are in the test
point names); TSO, send batches, checksums, coalesced receives (RSC)
and both queues are seen in ethtool -S, and nothing malformed; received
data past the headers is the receive buffer's own pages lent to the
stack, every one comes back (its transfer completed) once traffic
stops, and with the rx_lend module parameter off the data is copied into
pool pages that are reused; with ethtool -K lro off the host stops
coalescing. MTU 9000 end to end (ping with
8972-byte payloads that may not fragment, and TCP), with the same
ifindex, MAC and address after the re-attach, and a MAC the user set
survives the next one. ctl nic link down/up: the
guest's carrier follows; ctl nic speed: its ethtool speed follows. ethtool -L 1 and back to 2 under an iperf3 run,
which ends well. An XPS map set in sysfs picks the send queue (a ping's
frames all on queue 1 while only it is mapped, then all on queue 0), the
host's table again once cleared.
ethtool -G re-shares the buffers with other section
counts (the host sees them) and refuses too few; ethtool -X sets the
table and the key (the host sees the key) and refuses another hash.
Every malformed input the host can inject (nic fault ...) is counted
by the driver, each kind as it comes, and nothing else happens (ping still works, no oops). KVP SET_IP_INFO from the host (enl-kvpd with an ip hook) puts
an address on the NIC that answers ping. A second NIC is hot-added
while eth0 carries a stream, carries traffic, and is hot-removed under
iperf3, eth0's stream ending well. NICs offered at most NVSP 1, 2, 4, 5
and 6 in turn: the driver falls back to each and carries traffic. The module is removed
with eth0 up and loaded again; the host rescinds its sub-channel
alone under iperf3 and the driver comes back on 2 queues with one offered
anew, the stream ending well; last the first NIC is
rescinded under iperf3, the module unloads, and dmesg is clean."""
import json
import re
import subprocess
import sys
import time

from vmtest import run_suite, wait_until

TAP = 'enlt0'
MAC = '00:15:5d:4e:00:01'
TAP2 = 'enlt1'
MAC2 = '00:15:5d:4e:00:02'
HOST, GUEST = '10.0.77.1', '10.0.77.2'
HOST2, GUEST2 = '10.0.78.1', '10.0.78.2'
TAP3 = 'enlt2'
MAC3 = '00:15:5d:4e:00:03'
HOST3, GUEST3 = '10.0.79.1', '10.0.79.2'
# nvsp= of a NIC offered at most that NVSP version: what ethtool -i shows,
# and the channels the driver opens (sub-channels come with NVSP 5).
NVSP_OLD = (('1', '2', 1), ('2', '30002', 1), ('4', '40000', 1),
            ('5', '50000', 2), ('6', '60000', 2))
KVP_ADDR = '10.0.77.9'
# Counters of the driver that say "the host sent something bad".
BAD = ('ctl_malformed', 'rx_malformed', 'rx_bad_xfer', 'bad_completions')


def ethtool_stats(g, dev='eth0'):
    rc, out = g.sh('ethtool -S %s' % dev)
    st = {}
    for line in out.splitlines():
        m = re.match(r'\s*(\S+): (\d+)$', line)
        if m:
            st[m.group(1)] = int(m.group(2))
    return st


def total(st, name):
    """A counter summed over the device and every queue."""
    return sum(v for k, v in st.items()
               if k == name or re.fullmatch(r'q\d+_' + name, k))


def bad_total(st):
    return sum(total(st, n) for n in BAD)


def listening(ns, port=5201):
    """The iperf3 listener is up once the port answers."""
    return wait_until(lambda: ns.run('ss', '-ltn', 'sport = :%d' % port)[1]
                      .count('LISTEN') > 0, 10, 0.2)


def iperf_server(g):
    p = g.netns.popen('iperf3', '-s', '-1', '-J', stdout=subprocess.PIPE,
                      stderr=subprocess.STDOUT, text=True)
    listening(g.netns)
    return p


def dev_bytes(g, dev, way):
    """What dev has received (way 'rx') or sent ('tx'), in bytes."""
    rc, out = g.sh('cat /sys/class/net/%s/statistics/%s_bytes' % (dev, way))
    return int(out) if rc == 0 and out.strip().isdigit() else 0


def streaming(g, dev, way, before, timeout=30):
    """Wait until a stream started after before=dev_bytes() has moved a
    MiB over dev: it runs, not only its handshake."""
    return g.wait_sh('[ $(cat /sys/class/net/%s/statistics/%s_bytes) -gt %d ]'
                     % (dev, way, before + (1 << 20)), timeout)


def iperf_bg_start(g, secs):
    """A host-to-guest iperf3 stream of secs seconds in the background,
    once it moves data; its server, for iperf_bg_end()."""
    srv = iperf_server(g)
    before = dev_bytes(g, 'eth0', 'rx')
    g.sh('iperf3 -c %s -t %d -R > /tmp/ip.log 2>&1 & echo $! > /tmp/ip.pid' % (HOST, secs))
    streaming(g, 'eth0', 'rx', before)
    return srv


def iperf_bg_end(t, g, srv, what):
    """Wait for iperf_bg_start()'s stream to end (its output to a file is
    buffered) and check that it ended well."""
    g.wait_sh('! kill -0 $(cat /tmp/ip.pid) 2>/dev/null', 60)
    rc, out = g.sh('cat /tmp/ip.log')
    try:
        srv.wait(30)
    except subprocess.TimeoutExpired:
        srv.kill()
    t.ok('receiver' in out and 'error' not in out, what, out[-800:])


def iperf(t, g, what, args, dev_bps=1e6):
    """One iperf3 run from the guest; its Mbit/s, or 0."""
    srv = iperf_server(g)
    rc, out = g.sh('iperf3 -c %s -J %s' % (HOST, args), timeout=120)
    try:
        srv.wait(30)
    except subprocess.TimeoutExpired:
        srv.kill()
    try:
        end = json.loads(out[out.index('{'):])['end']
        s = end.get('sum_received') or end.get('sum')
        bps = s['bits_per_second']
        lost = s.get('lost_percent', 0)
    except (ValueError, KeyError, TypeError):
        t.ok(False, 'iperf3 %s' % what, out[-1500:])
        return 0
    t.ok(rc == 0 and bps > dev_bps,
         'iperf3 %s: %.0f Mbit/s%s' % (what, bps / 1e6,
                                      ', %.1f%% lost' % lost if 'lost_percent' in s else ''),
         out[-800:])
    return bps


def basics(t, g):
    ns = g.netns
    rc, out = g.sh('ls /sys/class/net')
    t.ok(rc == 0 and out.split() == ['lo'], 'no NIC in the guest before the driver', out)
    rc, out = g.sh('modprobe enl_netvsc && ip -o link show eth0')
    t.ok(rc == 0 and MAC in out, 'modprobe enl_netvsc: eth0 with the host\'s MAC %s' % MAC, out)
    rc, out = g.sh('ethtool -i eth0')
    t.ok(rc == 0 and 'driver: enl_netvsc' in out and 'NVSP 60001' in out,
         'ethtool -i: enl_netvsc, NVSP 6.1', out)
    rc, out = g.sh('ethtool -l eth0')
    t.ok(rc == 0 and re.search(r'Combined:\s+2\s', out.split('Current')[1]) is not None,
         'ethtool -l: 2 combined channels (one per vCPU, the host grants 2)', out)
    rc, out = g.sh('ethtool -k eth0')
    t.ok(rc == 0 and all(re.search(r'^%s: on' % f, out, re.M) for f in
                         ('tx-checksumming', 'tcp-segmentation-offload',
                          'rx-checksumming', 'scatter-gather', 'receive-hashing',
                          'large-receive-offload')),
         'ethtool -k: TX checksums, TSO, RX checksum, SG, RX hash, LRO (RSC) on', out)
    rc, out = g.sh('enl-status')
    t.ok(re.search(r'^\s+eth0\s+enl_netvsc\s+synthetic$', out, re.M) is not None,
         'enl-status: eth0 is a synthetic network device driven by enl_netvsc', out)
    rc, out = g.sh('ethtool -g eth0')
    t.ok(rc == 0 and re.search(r'RX:\s+\d{3,}', out) is not None,
         'ethtool -g: receive and send sections', out)
    rc, out = g.sh('cat /sys/class/net/eth0/queues/tx-*/byte_queue_limits/limit_min')
    t.ok(rc == 0 and out.split() == ['262144'] * 2,
         'every send queue\'s BQL limit stays at 256 KiB at least (the host '
         'completes a busy ring\'s sends in bursts)', out)
    ns.tap_up(TAP, HOST + '/24')
    g.sh('ip link set eth0 up && ip addr add %s/24 dev eth0' % GUEST)
    t.ok(g.wait_sh('cat /sys/class/net/eth0/carrier | grep -qx 1', 20),
         'carrier on once the link is reported up')
    rc, out = g.sh('ethtool eth0')
    t.ok(rc == 0 and 'Speed: 10000Mb/s' in out and 'Link detected: yes' in out,
         'ethtool: 10000Mb/s, link detected (the host\'s LINK_SPEED)', out)
    ok = g.wait_sh('ping -c 1 -W 2 %s' % HOST, 30)
    rc, out = g.sh('ping -c 5 -W 5 %s' % HOST, timeout=60)
    t.ok(ok and rc == 0 and ' 0% packet loss' in out, 'ping guest -> host', out)
    rc, out = ns.run('ping', '-c', '5', '-W', '5', GUEST)
    t.ok(rc == 0 and ' 0% packet loss' in out, 'ping host -> guest', out)
    wakeups_per_ping(t, g)


def host_wakeups(g):
    """The guest's signals on the NIC's channels and the host's timer
    looks, from `enl-host ctl stats` and `ctl nic stats`."""
    out = g.ctl('stats')[1]
    signals = sum(int(m) for m in re.findall(r'^channel \d+ network .*?\bsignals_in=(\d+)',
                                             out, re.M))
    m = re.search(r'\bpoll_looks=(\d+)', g.ctl('nic', 'stats')[1])
    return signals, int(m.group(1)) if m else -1


def wakeups_per_ping(t, g):
    """A ping from the host is one transfer in and one packet out: the
    guest's completion of the transfer waits in the ring for the reply's
    signal (the driver's poll sends it quietly), and the host, seeing
    one request, books no look."""
    n = 20
    s0, l0 = host_wakeups(g)
    rc, out = g.netns.run('ping', '-c', str(n), '-i', '0.05', '-W', '5', GUEST)
    s1, l1 = host_wakeups(g)
    per = ((s1 - s0) / n, (l1 - l0) / n)
    t.ok(rc == 0 and l0 >= 0 and per[0] <= 1.5 and per[1] <= 0.3,
         '%d pings from the host: %.2f guest signals and %.2f host looks per ping '
         '(one signal for the completion and the reply, no look)' % ((n,) + per),
         out[-300:])


def throughput(t, g):
    before = ethtool_stats(g)
    iperf(t, g, 'TCP guest -> host', '-t 5 -P 2')
    iperf(t, g, 'TCP host -> guest', '-t 5 -P 2 -R')
    iperf(t, g, 'UDP guest -> host', '-t 5 -u -b 200M -l 1400')
    iperf(t, g, 'UDP host -> guest', '-t 5 -u -b 100M -l 1400 -R')
    # enl_netvsc batches only what the stack hands it together (xmit_more),
    # which it does once the send queue backs up; with the 256 KiB BQL
    # floor a quiet machine may never back up. A tight BQL limit for one
    # more UDP run makes sure it does.
    bql = '/sys/class/net/eth0/queues/tx-*/byte_queue_limits'
    g.sh('for d in %s; do q=$(basename $(dirname $d)); '
         'cat $d/limit_min > /tmp/bql.$q.min; cat $d/limit_max > /tmp/bql.$q.max; '
         'echo 0 > $d/limit_min; echo 4500 > $d/limit_max; done' % bql)
    iperf(t, g, 'UDP guest -> host, each send queue held to 4500 bytes in flight',
          '-t 3 -u -b 200M -l 1400')
    g.sh('for d in %s; do q=$(basename $(dirname $d)); '
         'cat /tmp/bql.$q.max > $d/limit_max; cat /tmp/bql.$q.min > $d/limit_min; '
         'done' % bql)
    st = ethtool_stats(g)
    t.ok(total(st, 'tx_tso') > total(before, 'tx_tso') and total(st, 'tx_gpa') > 0,
         'TSO packets went out as GPA-direct page ranges (tx_tso %d, tx_gpa %d)'
         % (total(st, 'tx_tso'), total(st, 'tx_gpa')))
    t.ok(total(st, 'tx_batches') > 0 and total(st, 'tx_copied') > total(st, 'tx_batches'),
         'small frames copied into send sections, several per batch (%d in %d)'
         % (total(st, 'tx_copied'), total(st, 'tx_batches')))
    t.ok(total(st, 'rx_csum_ok') > 0, 'receive checksums verified by the host (rx_csum_ok %d)'
         % total(st, 'rx_csum_ok'))
    t.ok(total(st, 'tx_csum') > total(before, 'tx_csum'),
         'send checksums left to the host (tx_csum %d), the host\'s receivers '
         'took the frames' % total(st, 'tx_csum'))
    t.ok(st.get('q0_rx_packets', 0) > 0 and st.get('q1_rx_packets', 0) > 0 and
         st.get('q0_tx_packets', 0) > 0 and st.get('q1_tx_packets', 0) > 0,
         'both queues received and sent (vRSS and the send table)',
         {k: v for k, v in st.items() if k.endswith('_packets')})
    t.ok(total(st, 'rx_rsc_packets') > 0 and
         total(st, 'rx_rsc_frags') > total(st, 'rx_rsc_packets'),
         'host -> guest TCP came up coalesced (RSC): %d packets joined from %d fragments'
         % (total(st, 'rx_rsc_packets'), total(st, 'rx_rsc_frags')))
    # Past its headers a received packet is the receive buffer's own pages,
    # lent to the stack; the host gets the sections back once it drops them.
    t.ok(total(st, 'rx_lent') > 1000 and total(st, 'rx_lend_held') > 0,
         'receive-buffer pages lent to the stack instead of copied: %d pages, '
         'in %d transfers completed once they came back'
         % (total(st, 'rx_lent'), total(st, 'rx_lend_held')))
    t.ok(wait_until(lambda: total(ethtool_stats(g), 'rx_lent_now') == 0, 20),
         'every lent page came back and its transfer was completed when '
         'traffic stopped (rx_lent_now 0)',
         {k: v for k, v in ethtool_stats(g).items() if 'lent' in k})
    # Lending off (the module parameter): copied into pool pages, reused.
    before = ethtool_stats(g)
    rc, out = g.sh('echo 0 > /sys/module/enl_netvsc/parameters/rx_lend')
    iperf(t, g, 'TCP host -> guest, pages copied', '-t 3 -R')
    g.sh('echo 1 > /sys/module/enl_netvsc/parameters/rx_lend')
    st = ethtool_stats(g)
    taken = total(st, 'rx_pages') - total(before, 'rx_pages')
    new = total(st, 'rx_pages_new') - total(before, 'rx_pages_new')
    t.ok(rc == 0 and total(st, 'rx_lent') == total(before, 'rx_lent') and
         taken > 1000 and new * 2 < taken,
         'rx_lend=0: nothing lent; receive pages copied into come back to '
         'the pool and are reused: %d taken, %d new from the page allocator'
         % (taken, new), out)
    t.ok(bad_total(st) == 0, 'no malformed input counted in normal traffic',
         {k: v for k, v in st.items() if v and any(k.endswith(b) for b in BAD)})
    # LRO off: the host stops coalescing (RNDIS offload parameters).
    rc, out = g.sh('ethtool -K eth0 lro off && ethtool -k eth0 | grep large-receive')
    t.ok(rc == 0 and 'large-receive-offload: off' in out, 'ethtool -K eth0 lro off', out)
    before = ethtool_stats(g)
    iperf(t, g, 'TCP host -> guest with LRO off', '-t 2 -R')
    st = ethtool_stats(g)
    t.ok(total(st, 'rx_rsc_packets') == total(before, 'rx_rsc_packets') and
         total(st, 'rx_packets') > total(before, 'rx_packets') + 1000,
         'with LRO off nothing came coalesced (%d frames, %d coalesced)'
         % (total(st, 'rx_packets') - total(before, 'rx_packets'),
            total(st, 'rx_rsc_packets') - total(before, 'rx_rsc_packets')))
    rc, out = g.sh('ethtool -K eth0 lro on && ethtool -k eth0 | grep large-receive')
    t.ok(rc == 0 and 'large-receive-offload: on' in out, 'ethtool -K eth0 lro on again', out)


def jumbo(t, g):
    ns = g.netns
    rc, idx0 = g.sh('cat /sys/class/net/eth0/ifindex')
    rc, out = g.sh('ip link set eth0 mtu 9000 && ip -o link show eth0')
    t.ok(rc == 0 and 'mtu 9000' in out and MAC in out, 'guest MTU 9000 (re-attach)', out)
    rc, idx1 = g.sh('cat /sys/class/net/eth0/ifindex; ip -o addr show eth0')
    t.ok(idx1.split()[0] == idx0.strip() and GUEST in idx1,
         'same net_device after the re-attach: ifindex, MAC and address kept', idx1)
    ns.run('ip', 'link', 'set', TAP, 'mtu', '9000')
    g.wait_sh('ping -c 1 -W 2 %s' % HOST, 30)
    rc, out = ns.run('ping', '-c', '3', '-W', '5', '-M', 'do', '-s', '8972', GUEST)
    t.ok(rc == 0 and ' 0% packet loss' in out,
         'ping host -> guest with 9000-byte packets that may not fragment', out)
    rc, out = g.sh('ping -c 3 -W 5 -s 8972 %s' % HOST, timeout=60)
    t.ok(rc == 0 and ' 0% packet loss' in out, 'ping guest -> host with 9000-byte packets', out)
    iperf(t, g, 'TCP guest -> host at MTU 9000', '-t 3')
    iperf(t, g, 'TCP host -> guest at MTU 9000', '-t 3 -R')
    g.sh('ip link set eth0 mtu 1500')
    ns.run('ip', 'link', 'set', TAP, 'mtu', '1500')
    # A MAC the user set while the link is up (as bonding does) reaches
    # the host at once and survives the next re-attach (an MTU change).
    user_mac = '00:15:5d:4e:00:99'

    def change(cmd):
        """Run cmd, forget the guest's old MAC on the host's side, then:
        (status, output, the host's current_mac, whether ping flows)."""
        rc, out = g.sh(cmd + ' && ip -o link show eth0')
        ns.run('ip', 'neigh', 'flush', 'dev', TAP)
        flows = g.wait_sh('ping -c 1 -W 2 %s' % HOST, 30)
        return rc, out, nic_json(g).get('current_mac'), flows

    rc, out, cur, flows = change('ip link set eth0 address %s' % user_mac)
    t.ok(rc == 0 and 'LOWER_UP' in out and user_mac in out and cur == user_mac and flows,
         'a MAC set while eth0 is up (%s): the host has it, traffic flows' % user_mac,
         '%s\nhost: %s' % (out, cur))
    rc, out, cur, flows = change('ip link set eth0 mtu 4000')
    t.ok(rc == 0 and user_mac in out and 'mtu 4000' in out and cur == user_mac and flows,
         'a MAC set by the user (%s) survives a re-attach (MTU 4000): the host has '
         'it, traffic flows' % user_mac, '%s\nhost: %s' % (out, cur))
    change('ip link set eth0 mtu 1500 && ip link set eth0 address %s' % MAC)


def link(t, g):
    rc, out = g.ctl('nic', 'link', 'down', TAP)
    t.ok(rc == 0 and g.wait_sh('grep -qx 0 /sys/class/net/eth0/carrier', 20),
         'ctl nic link down: the guest\'s carrier goes off', out)
    rc, out = g.ctl('nic', 'link', 'up', TAP)
    t.ok(rc == 0 and g.wait_sh('grep -qx 1 /sys/class/net/eth0/carrier', 20),
         'ctl nic link up: the carrier comes back', out)
    t.ok(g.wait_sh('ping -c 1 -W 2 %s' % HOST, 30), 'and traffic flows again')
    rc, out = g.ctl('nic', 'speed', '2500', TAP)
    ok = rc == 0 and g.wait_sh('ethtool eth0 | grep -q "Speed: 2500Mb/s"', 20)
    t.ok(ok, 'ctl nic speed 2500: the guest\'s ethtool shows 2500Mb/s (a status '
         'indication)', out + g.sh('ethtool eth0')[1])
    rc, out = g.ctl('nic', 'speed', '0', TAP)
    t.ok(rc != 0, 'ctl nic speed 0: refused', out)
    rc, out = g.ctl('nic', 'speed', '10000', TAP)
    t.ok(rc == 0 and g.wait_sh('ethtool eth0 | grep -q "Speed: 10000Mb/s"', 20),
         'and back to 10000Mb/s', out)


def channels(t, g):
    srv = iperf_bg_start(g, 10)
    rc1, out1 = g.sh('ethtool -L eth0 combined 1 && ethtool -l eth0', timeout=120)
    # Some of the stream on one channel before going back to two.
    streaming(g, 'eth0', 'rx', dev_bytes(g, 'eth0', 'rx'))
    rc2, out2 = g.sh('ethtool -L eth0 combined 2 && ethtool -l eth0', timeout=120)
    cur1 = out1.split('Current')[-1]
    cur2 = out2.split('Current')[-1]
    t.ok(rc1 == 0 and re.search(r'Combined:\s+1\s', cur1) is not None and
         rc2 == 0 and re.search(r'Combined:\s+2\s', cur2) is not None,
         'ethtool -L combined 1, then 2, under iperf3', out1 + out2)
    iperf_bg_end(t, g, srv, 'the iperf3 run across both changes ended well')
    t.ok(g.wait_sh('ping -c 1 -W 2 %s' % HOST, 30), 'traffic flows on 2 channels again')


def xps(t, g):
    """One flow, mapped to each queue in turn, by CPU and then by receive
    queue: whichever the host's table gives it, one of the two turns must
    have moved it."""
    q = '/sys/class/net/eth0/queues/tx-%d/xps_cpus'
    for on in (1, 0):
        off = 1 - on
        g.sh('echo 0 > %s; echo 3 > %s' % (q % off, q % on))
        before = ethtool_stats(g)
        rc, out = g.sh('ping -c 20 -i 0.05 -W 2 %s' % HOST, timeout=60)
        mid = ethtool_stats(g)
        d_on = mid.get('q%d_tx_packets' % on, 0) - before.get('q%d_tx_packets' % on, 0)
        d_off = mid.get('q%d_tx_packets' % off, 0) - before.get('q%d_tx_packets' % off, 0)
        t.ok(rc == 0 and d_on >= 20 and d_off == 0,
             'with only tx-%d in the XPS map every frame went out on queue %d '
             '(queue %d: %d, queue %d: %d)' % (on, on, on, d_on, off, d_off), out)
    g.sh('echo 0 > %s' % (q % 0))
    # By receive queue (xps_rxqs): a TCP socket sends on the queue its
    # received packets map to. Both receive queues to one send queue, then
    # to the other; only the handshake goes out before the socket has
    # seen a receive queue.
    r = '/sys/class/net/eth0/queues/tx-%d/xps_rxqs'
    for on in (1, 0):
        off = 1 - on
        rc, out = g.sh('echo 0 > %s && echo 3 > %s' % (r % off, r % on))
        before = ethtool_stats(g)
        iperf(t, g, 'TCP guest -> host with xps_rxqs mapping both receive queues to tx-%d'
              % on, '-t 2')
        after = ethtool_stats(g)
        d_on = after.get('q%d_tx_packets' % on, 0) - before.get('q%d_tx_packets' % on, 0)
        d_off = after.get('q%d_tx_packets' % off, 0) - before.get('q%d_tx_packets' % off, 0)
        t.ok(rc == 0 and d_on >= 200 and d_off <= 20,
             'with xps_rxqs the stream went out on queue %d (queue %d: %d, queue %d: %d)'
             % (on, on, d_on, off, d_off), out)
    g.sh('echo 0 > %s' % (r % 0))
    # Cleared, the host's table spreads flows again: 16 UDP flows all on
    # one of two queues would be a 1 in 32768 chance.
    iperf(t, g, 'UDP guest -> host, 16 flows, XPS cleared',
          '-t 2 -P 16 -u -b 2M -l 1400')
    st = ethtool_stats(g)
    t.ok(st.get('q0_tx_packets', 0) > mid.get('q0_tx_packets', 0) and
         st.get('q1_tx_packets', 0) > mid.get('q1_tx_packets', 0),
         'XPS cleared: the flows went out on both queues again')


def nic_json(g):
    rc, out = g.ctl('nic', 'list', '--json')
    try:
        # The reply's first line is "ok".
        return next(n for n in json.loads(out.split('\n', 1)[1])
                    if n.get('tap') == TAP)
    except (ValueError, StopIteration, TypeError, IndexError):
        return {}


def ring_sizes(g):
    """ethtool -g: {'max': (rx, tx), 'cur': (rx, tx)}."""
    rc, out = g.sh('ethtool -g eth0')
    parts = out.split('Current hardware settings')
    res = {}
    for name, text in zip(('max', 'cur'), parts):
        rx = re.search(r'^RX:\s+(\d+)', text, re.M)
        tx = re.search(r'^TX:\s+(\d+)', text, re.M)
        res[name] = (int(rx.group(1)) if rx else 0, int(tx.group(1)) if tx else 0)
    return res


def rings_rss(t, g):
    """ethtool -G (buffer sizes: a re-attach) and -X (table and key)."""
    r0 = ring_sizes(g)
    rc, idx0 = g.sh('cat /sys/class/net/eth0/ifindex')
    t.ok(r0.get('max', (0, 0))[0] > r0.get('cur', (0, 0))[0] > 0 and
         r0['max'][1] > r0['cur'][1] > 0,
         'ethtool -g: maximum sections above the current ones (%s)' % r0)
    rc, out = g.sh('ethtool -G eth0 rx 1024 tx 64')
    r1 = ring_sizes(g)
    n = nic_json(g)
    t.ok(rc == 0 and r1.get('cur') == (1024, 64) and
         n.get('recv_sections') == 1024 and n.get('send_sections') == 64,
         'ethtool -G eth0 rx 1024 tx 64: the guest\'s buffers re-shared, the host sees '
         '%s/%s sections' % (n.get('recv_sections'), n.get('send_sections')), out + str(r1))
    rc, idx1 = g.sh('cat /sys/class/net/eth0/ifindex')
    ok = g.wait_sh('ping -c 1 -W 2 %s' % HOST, 30)
    t.ok(ok and idx1 == idx0, 'same net_device after -G, and traffic flows')
    iperf(t, g, 'TCP host -> guest with 1024 receive sections', '-t 2 -R')
    rc, out = g.sh('ethtool -G eth0 rx 10')
    t.ok(rc != 0 and ring_sizes(g).get('cur') == (1024, 64),
         'ethtool -G rx 10 (below the minimum): refused, nothing changed', out)
    # The maximum ethtool -g advertises is one the driver can share.
    mx = r0.get('max', (0, 0))[0]
    rc, out = g.sh('ethtool -G eth0 rx %d' % mx)
    t.ok(rc == 0 and ring_sizes(g).get('cur', (0, 0))[0] == mx and
         g.wait_sh('ping -c 1 -W 2 %s' % HOST, 30),
         'ethtool -G rx %d (the advertised maximum): re-shared, traffic flows' % mx,
         out + g.sh('dmesg | tail -3')[1])
    rc, out = g.sh('ethtool -G eth0 rx %d tx %d' % r0['cur'])
    t.ok(rc == 0 and ring_sizes(g).get('cur') == r0['cur'],
         'ethtool -G back to %d/%d' % r0['cur'], out)
    g.wait_sh('ping -c 1 -W 2 %s' % HOST, 30)

    key = ':'.join('%02x' % ((i * 37 + 11) & 0xff) for i in range(40))
    rc, out = g.sh('ethtool -X eth0 hkey %s weight 1 0 && ethtool -x eth0' % key)
    table = re.findall(r'^\s*\d+:\s+((?:\d+\s*)+)$', out, re.M)
    entries = ' '.join(table).split()
    n = nic_json(g)
    t.ok(rc == 0 and len(entries) == 128 and set(entries) == {'0'} and
         n.get('rss_key') == key.replace(':', ''),
         'ethtool -X hkey ... weight 1 0: all 128 entries on queue 0, the host has the new key',
         out + str(n))
    rc, out = g.sh('ethtool -X eth0 default && ethtool -x eth0')
    table = re.findall(r'^\s*\d+:\s+((?:\d+\s*)+)$', out, re.M)
    entries = ' '.join(table).split()
    t.ok(rc == 0 and sorted(set(entries)) == ['0', '1'],
         'ethtool -X default: spread over both queues again', out)
    rc, out = g.sh('ethtool -X eth0 hfunc xor')
    t.ok(rc != 0, 'ethtool -X hfunc xor: refused (Toeplitz only)', out)
    t.ok(g.wait_sh('ping -c 1 -W 2 %s' % HOST, 30), 'traffic flows after -X')


def faults(t, g):
    rc, out = g.ctl('nic', 'fault', 'list')
    kinds = re.findall(r'^([a-z0-9-]+): ', out, re.M)
    t.ok(rc == 0 and len(kinds) >= 10, 'nic fault list: %d kinds' % len(kinds), out)
    before = ethtool_stats(g)
    failed, uncounted = [], []
    for k in kinds:
        b = bad_total(ethtool_stats(g))
        rc, out = g.ctl('nic', 'fault', k, TAP)
        if rc != 0:
            failed.append('%s: %s' % (k, out.strip()))
        elif not wait_until(lambda: bad_total(ethtool_stats(g)) > b, 10, 0.2):
            uncounted.append(k)
    t.ok(not failed, 'the host injected every kind', '\n'.join(failed))
    st = ethtool_stats(g)
    t.ok(not uncounted and bad_total(st) >= bad_total(before) + len(kinds),
         'the driver counted each kind as it came (%d malformed inputs for %d faults)'
         % (bad_total(st) - bad_total(before), len(kinds)),
         'not counted: %s\n%s' % (' '.join(uncounted) or '-',
                                   {k: v for k, v in st.items()
                                    if v and any(k.endswith(b) for b in BAD)}))
    rc, out = g.sh('ping -c 3 -W 5 %s' % HOST, timeout=60)
    t.ok(rc == 0 and ' 0% packet loss' in out, 'and the NIC still works', out)
    ok, bad = g.dmesg_clean()
    t.ok(ok, 'no oops or warning after the faults', bad)


def kvp_ip(t, g):
    g.sh("printf '#!/bin/sh\\nip link set \"$1\" up\\nfor a; do case $a in "
         "address=*) ip addr add ${a#address=} dev \"$1\";; esac; done\\n' > /tmp/iphook"
         " && chmod +x /tmp/iphook")
    g.sh("mkdir -p /tmp/kvp && printf '[kvp]\\npool-dir=/tmp/kvp\\nip-backend=hook\\n"
         "ip-hook=/tmp/iphook\\n' > /tmp/kvp.conf")
    # The KVP channel first: a loaded machine can time its handshake out.
    ready = False
    for _ in range(3):
        g.sh('killall enl-kvpd; enl-kvpd -f -c /tmp/kvp.conf > /tmp/kvpd.log 2>&1 &')
        ready, out = g.wait_ctl(('kvp', 'status'), r'channel: ready', 60)
        if ready:
            break
    t.ok(ready, 'enl-kvpd runs with an ip hook, its KVP channel ready', out)
    rc, out = g.ctl('ip', 'set', MAC, 'static', KVP_ADDR, '255.255.255.0')
    t.ok(rc == 0, 'ctl ip set %s static %s: sent to enl-kvpd' % (MAC, KVP_ADDR), out)
    ok = g.wait_sh('ip -o addr show eth0 | grep -q %s/24' % KVP_ADDR, 60)
    rc, log = g.sh('cat /tmp/kvpd.log')
    t.ok(ok, 'enl-kvpd\'s hook put %s on eth0' % KVP_ADDR, log[-800:])
    rc, out = g.netns.run('ping', '-c', '3', '-W', '5', KVP_ADDR)
    t.ok(rc == 0 and ' 0% packet loss' in out, 'the injected address answers ping', out)
    g.sh('killall enl-kvpd; ip addr del %s/24 dev eth0' % KVP_ADDR)


def add_nic(t, g, spec, mac, tap, host, guest, what):
    """ctl nic add spec; its guest interface, up with guest's address
    and answering a ping to host, or None (a failed test point said so)."""
    rc, out = g.ctl('nic', 'add', spec)
    ok = rc == 0 and g.wait_sh('ip -o link | grep -q %s' % mac, 60)
    rc, dev = g.sh("ip -o link | grep %s | cut -d: -f2" % mac)
    dev = dev.strip()
    if not ok or not dev:
        t.ok(False, '%s: the NIC appears in the guest' % what, out)
        return None
    g.netns.tap_up(tap, host + '/24')
    g.sh('ip link set %s up && ip addr add %s/24 dev %s' % (dev, guest, dev))
    ok = g.wait_sh('ping -c 1 -W 2 %s' % host, 30)
    rc, out = g.sh('ping -c 3 -W 5 %s' % host, timeout=60)
    t.ok(ok and rc == 0 and ' 0% packet loss' in out,
         '%s: it appears in the guest (%s) and carries traffic' % (what, dev), out)
    return dev


def remove_nic(g, tap, mac):
    rc, out = g.ctl('nic', 'remove', tap)
    return rc == 0 and g.wait_sh('! ip -o link | grep -q %s' % mac, 60), out


def hotplug(t, g):
    """A second NIC is added while eth0 carries a stream, carries one of
    its own and is removed under it; eth0's stream goes on across both."""
    ns = g.netns
    srv0 = iperf_bg_start(g, 40)
    dev = add_nic(t, g, 'tap=%s,mac=%s,queues=1' % (TAP2, MAC2), MAC2, TAP2,
                  HOST2, GUEST2, 'ctl nic add under iperf3 on eth0')
    if dev:
        srv = ns.popen('iperf3', '-s', '-1', '-p', '5202', '-B', HOST2,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        listening(ns, 5202)
        before = dev_bytes(g, dev, 'tx')
        g.sh('iperf3 -c %s -p 5202 -t 20 > /tmp/ip2.log 2>&1 & echo $! > /tmp/ip2.pid'
             % HOST2)
        streaming(g, dev, 'tx', before)
        gone, out = remove_nic(g, TAP2, MAC2)
        t.ok(gone, 'ctl nic remove under iperf3: the NIC leaves the guest', out)
        srv.kill()
        srv.wait()
        g.sh('kill $(cat /tmp/ip2.pid); true')
    rc, _ = g.sh('kill -0 $(cat /tmp/ip.pid)')
    t.ok(rc == 0, 'eth0\'s stream was still running after the add and the remove')
    iperf_bg_end(t, g, srv0, 'and it ended well: the first NIC is unaffected')
    rc, out = g.sh('ping -c 3 -W 5 %s' % HOST, timeout=60)
    t.ok(rc == 0 and ' 0% packet loss' in out, 'eth0 still answers ping', out)


def versions(t, g):
    """A NIC offered at most NVSP 1, 2, 4, 5 and 6 in turn: the driver
    falls back to it (NDIS 6.1 up to NVSP 4, the legacy receive buffer
    up to 2, no sub-channels before 5) and the NIC carries traffic."""
    for cap, shown, chans in NVSP_OLD:
        what = 'nvsp=%s' % cap
        dev = add_nic(t, g, 'tap=%s,mac=%s,queues=2,nvsp=%s' % (TAP3, MAC3, cap),
                      MAC3, TAP3, HOST3, GUEST3, what)
        if dev:
            rc, info = g.sh('ethtool -i %s' % dev)
            rc2, ch = g.sh('ethtool -l %s' % dev)
            cur = ch.split('Current')[-1]
            t.ok(rc == 0 and 'NVSP %s ' % shown in info and rc2 == 0 and
                 re.search(r'Combined:\s+%d\s' % chans, cur) is not None,
                 '%s: the driver runs NVSP %s on %d channel(s)' % (what, shown, chans),
                 info + ch)
            rc, out = g.netns.run('ping', '-c', '3', '-W', '5', GUEST3)
            bad = bad_total(ethtool_stats(g, dev))
            t.ok(rc == 0 and ' 0% packet loss' in out and bad == 0,
                 '%s: the host pings the guest, nothing malformed (%d)' % (what, bad),
                 out)
            gone, out = remove_nic(g, TAP3, MAC3)
            t.ok(gone, '%s: removed' % what, out)
            if not gone:
                return


def reload(t, g):
    rc, out = g.sh('rmmod enl_netvsc && ! [ -e /sys/class/net/eth0 ]')
    t.ok(rc == 0, 'rmmod enl_netvsc with eth0 up: eth0 goes', out)
    rc, out = g.sh('modprobe enl_netvsc && ip link set eth0 up && '
                   'ip addr add %s/24 dev eth0' % GUEST)
    ok = rc == 0 and g.wait_sh('ping -c 1 -W 2 %s' % HOST, 30)
    t.ok(ok, 'modprobe again: eth0 is back and carries traffic', out)


def sub_rescind(t, g):
    """The host rescinds the NIC's sub-channel alone under iperf3: the
    driver stops, attaches again with a sub-channel offered anew, and
    the stream ends well on 2 queues."""
    rc, out = g.ctl('devices')
    subs = re.findall(r'^(\d+) network .* sub=\d+$', out, re.M)
    if not subs:
        t.ok(False, 'the NIC has a sub-channel to rescind', out)
        return
    bad = bad_total(ethtool_stats(g))
    srv = iperf_bg_start(g, 12)
    rc, res = g.ctl('rescind', subs[0])
    t.ok(rc == 0, 'ctl rescind of the NIC\'s sub-channel (relid %s) under iperf3' % subs[0],
         res)
    # Released by the guest, offered anew by the host (the relid may be
    # the same one again) and opened.
    anew = wait_until(lambda: 'rescinded by the host, released' in g.sh('dmesg')[1] and
                      re.search(r'^\d+ network \S+ \S+ open sub=1$', g.ctl('devices')[1],
                                re.M), 60)
    back = g.wait_sh('ethtool -l eth0 | grep -A5 Current | '
                     'grep -q "Combined:[[:space:]]*2"', 30)
    _, msgs = g.sh('dmesg | grep -i "sub-channel" | tail -4')
    t.diag(msgs.strip())
    t.ok(anew and back and 'queues set up again' in msgs,
         'the driver let it go (relid released) and runs 2 queues again, on a '
         'sub-channel offered anew',
         g.sh('ethtool -l eth0; dmesg | tail -15')[1] + g.ctl('devices')[1])
    iperf_bg_end(t, g, srv, 'the iperf3 run across the rescind ended well')
    t.ok(g.wait_sh('ping -c 1 -W 2 %s' % HOST, 30), 'traffic flows after the rescind')
    st = ethtool_stats(g)
    t.ok(bad_total(st) == bad,
         'nothing malformed across the rescind: the host keeps the sections the '
         'rescinded ring names (%d -> %d)' % (bad, bad_total(st)),
         g.sh('dmesg | tail -20')[1])


def rescind(t, g):
    srv = iperf_server(g)
    before = dev_bytes(g, 'eth0', 'tx')
    g.sh('iperf3 -c %s -t 20 -P 2 > /tmp/ip3.log 2>&1 &' % HOST)
    streaming(g, 'eth0', 'tx', before)
    rc, out = g.ctl('nic', 'remove', TAP)
    gone = rc == 0 and g.wait_sh('! [ -e /sys/class/net/eth0 ]', 60)
    t.ok(gone, 'rescind of the NIC under iperf3: eth0 leaves the guest', out)
    srv.kill()
    srv.wait()
    g.sh('killall iperf3; true')
    rc, out = g.sh('rmmod enl_netvsc && ! lsmod | grep -q "^enl_netvsc "')
    t.ok(rc == 0, 'enl_netvsc unloads', out)
    ok, bad = g.dmesg_clean()
    t.ok(ok, 'no oops or warning in dmesg', bad)


def run(t, g):
    t0 = time.monotonic()
    for part in (basics, throughput, jumbo, link, channels, xps, rings_rss, faults, kvp_ip,
                 hotplug, versions, reload, sub_rescind, rescind):
        part(t, g)
        t.diag('%s done at %.0f s' % (part.__name__, time.monotonic() - t0))


if __name__ == '__main__':
    sys.exit(run_suite(('kvp',), run, cpus=2,
                       nics=('tap=%s,mac=%s,queues=2,mtu=9000' % (TAP, MAC),)))
