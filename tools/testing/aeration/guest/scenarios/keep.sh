# Sourced: an integrity buffer of keep_mib (default 64) held by "world
# keep" in the background; keep_check ends it and prints its verdict.
keep_start() {
	world keep "$1" "${2:-64}" > /tmp/keep.out 2>&1 &
	keep_pid=$!
	i=0
	until grep -q keep-ready /tmp/keep.out 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 300 ]; then
			echo "not ok 1 $1: integrity buffer ready within 30 s"
			break
		fi
		sleep 0.1
	done
}
keep_check() {
	kill -USR1 "$keep_pid"
	wait "$keep_pid"
	keep_rc=$?
	cat /tmp/keep.out
	return $keep_rc
}
