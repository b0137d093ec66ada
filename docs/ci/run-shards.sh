#!/bin/sh
# run-shards.sh N [go test arguments...]
#
# Runs go test as the N shards of a sharded exploration, one after another,
# the way the pods of a Kubernetes Indexed Job would: shard K (1..N) gets
# JOB_COMPLETION_INDEX=K-1 and WEFT_SIM_SHARD=N, so each sim.Test explores
# the seeds s with s mod N = K-1. Each shard's output goes to
# $WEFT_SHARDS_OUT/shard-K.log (default ./shards). The exit status is 1 if
# any shard failed.
set -u
if [ $# -lt 1 ]; then
	echo "usage: run-shards.sh N [go test arguments...]" >&2
	exit 2
fi
n=$1
shift
out=${WEFT_SHARDS_OUT:-shards}
mkdir -p "$out"
status=0
i=0
while [ "$i" -lt "$n" ]; do
	k=$((i + 1))
	if ! JOB_COMPLETION_INDEX=$i WEFT_SIM_SHARD=$n go test -count=1 "$@" >"$out/shard-$k.log" 2>&1; then
		echo "shard $k/$n failed: $out/shard-$k.log" >&2
		status=1
	fi
	i=$k
done
exit $status
