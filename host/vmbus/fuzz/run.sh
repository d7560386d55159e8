#!/bin/bash
# Build and run the VMBus server fuzz target (libFuzzer + ASan + UBSan).
#   host/vmbus/fuzz/run.sh            20 s, what `make check` runs
#   FUZZ_SECONDS=3600 host/vmbus/fuzz/run.sh   longer, on demand
#   FUZZ_RUNS=10000000 host/vmbus/fuzz/run.sh  that many executions instead
# Output in build/fuzz-vmbus/ (binary, corpus/, crash-* reproducers);
# rerun a reproducer with: build/fuzz-vmbus/fuzz-vmbus-server crash-<id>
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
out=${FUZZ_OUT:-$root/build/fuzz-vmbus}
secs=${FUZZ_SECONDS:-20}
mkdir -p "$out/corpus"

src=(host/vmbus/server.c host/vmbus/connection.c host/vmbus/offer.c
     host/vmbus/gpadl.c host/vmbus/channel.c host/vmbus/channel_io.c
     host/vmbus/worker.c host/vmbus/ring_map.c host/vmbus/gpadl_view.c
     host/vmbus/gpa_direct.c host/vmbus/xfer_page.c host/vmbus/inflight.c
     host/vmbus/registry.c host/vmbus/hold.c host/vmbus/chaos.c
     host/vmbus/ctl.c host/vmbus/fault.c host/vsp/echo/echo.c common/ring.c
     host/ctl/ctl.c host/ctl/frame.c host/ctl/json.c
     tests/unit/host/vmbus/test-vmbus-fakehv.c
     tests/unit/host/vmbus/test-vmbus-guest.c
     host/vmbus/fuzz/fuzz-vmbus-server.c)
inc=(-Iinclude -Icommon -Ihost/vmbus -Ihost/vsp -Ihost/hv -Ihost/mem
     -Ihost/ctl -Itests/unit/host/vmbus)

cd "$root"
if [ ! -x "$out/fuzz-vmbus-server" ] || [ -n "$(find "${src[@]}" host/vmbus/*.h \
	-newer "$out/fuzz-vmbus-server" 2>/dev/null)" ]; then
	clang -std=c11 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Werror \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		"${inc[@]}" $(pkg-config --cflags glib-2.0) "${src[@]}" \
		$(pkg-config --libs glib-2.0) -o "$out/fuzz-vmbus-server"
fi
cd "$out"
limit=-max_total_time=$secs
[ -z "${FUZZ_RUNS:-}" ] || limit=-runs=$FUZZ_RUNS
exec ./fuzz-vmbus-server "$limit" -max_len=4096 -print_final_stats=1 corpus
