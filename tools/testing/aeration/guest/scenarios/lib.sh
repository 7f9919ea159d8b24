# Helpers shared by the scenarios (sourced).  stdout goes to the data channel.
say() { echo "@@ $*"; }
memfree_kb() { sed -n 's/^MemFree: *\([0-9]*\) kB/\1/p' /proc/meminfo; }
# The same into $cur without forking, for tight polling loops.
read_memfree() {
	while read -r k v _; do
		if [ "$k" = MemFree: ]; then
			cur=$v
			return 0
		fi
	done < /proc/meminfo
	return 1
}
# Free memory the allocator holds: MemFree plus the per-cpu page lists,
# which MemFree leaves out (they drain slowly after a large free).
allfree_kb() {
	pcp=$(awk '$1 == "count:" { n += $2 } END { print n * 4 }' /proc/zoneinfo)
	echo $(($(memfree_kb) + pcp))
}
# The scenario's status, read by init once the scenario's pipe has closed.
finish() { echo "$1" > /tmp/rc; exit "$1"; }
# report_memfree SECONDS: one line a second with guest MemFree (kB).
report_memfree() {
	i=0
	while [ "$i" -lt "$1" ]; do
		say memfree "$(cut -d' ' -f1 /proc/uptime)" "$(memfree_kb)"
		sleep 1
		i=$((i + 1))
	done
}
