#!/bin/sh
# series.sh BASE_SRC OUR_SRC TOP OUT [check]
#
# The series as an mm maintainer gets it: a git history on top of the
# pristine base, one commit per quilt patch (its message, plus the new
# files patches/series.map assigns to it), and `git format-patch` output
# with a cover letter in OUT/ (default build/series/).  The work tree is
# OUT-work/.  The last commit's tree must equal the tree the tests build
# (OUR_SRC) in every file we touch.
#
# With "check": every commit compiles on its own (the objects the series
# touches, guest config plus our options, KUnit included) with no sparse
# (C=1) warning the base lacks; checkpatch --strict is clean on every
# patch file; and the patch files `git am` onto the base and give the same
# tree.
set -eu
base=$(realpath "$1"); our=$(realpath "$2"); top=$(realpath "$3"); out=$4
check=${5:-}
mkdir -p "$out"
out=$(realpath "$out")
work=$out-work
tree=$work/tree
jobs=$(nproc)
git_q() { git -C "$tree" -c user.name=aeration -c user.email=aeration@localhost "$@"; }

# 1. The base as a commit, kept while the base version stays.
if [ ! -d "$tree/.git" ] || ! cmp -s "$base/.version" "$work/.base-version"; then
	echo "  SERIES  base tree -> git ($work)"
	rm -rf "$work"
	mkdir -p "$work"
	cp -a "$base" "$tree"
	git_q init -q
	git_q add -A -f .
	git_q commit -q -m "base: $(cat "$base/.version")"
	git_q tag base
	cp "$base/.version" "$work/.base-version"
fi
git_q checkout -q -f base
git_q clean -q -f -d -x
git_q branch -q -D series 2>/dev/null || true
git_q checkout -q -b series

# 2. One commit per patch.
map=$top/patches/series.map
mapped=$(mktemp)
trap 'rm -f "$mapped"' EXIT
for p in $(grep -v '^[[:space:]]*\(#\|$\)' "$top/patches/series"); do
	git_q apply --whitespace=nowarn "$top/patches/$p" || {
		echo "series: patches/$p does not apply" >&2; exit 1; }
	for f in $(sed -n "s|^$p:||p" "$map"); do
		mkdir -p "$tree/$(dirname "$f")"
		cp "$top/$f" "$tree/$f"
		echo "$f" >> "$mapped"
	done
	from=$(sed -n 's/^From: //p;/^$/q' "$top/patches/$p" | head -1)
	msg=$work/msg
	sed -n '1,/^---$/p' "$top/patches/$p" | sed '/^---$/d' |
		sed -n '/^Subject: /,$p' | sed '1s/^Subject: \[PATCH\] //' > "$msg"
	git_q add -A -f .
	git_q commit -q --author="$from" -F "$msg"
done

# Every new file of ours belongs to some patch.
missing=0
for d in mm include drivers Documentation tools/testing/selftests; do
	[ -d "$top/$d" ] || continue
	for f in $(cd "$top" && find "$d" -type f ! -name '*.o' ! -name '.*'); do
		grep -qx "$f" "$mapped" || { echo "series: $f is in no patch (patches/series.map)" >&2; missing=1; }
	done
done
[ $missing -eq 0 ] || exit 1

# The series' tree is the tree we build and test.
differ=0
for f in $(cat "$our.overlay"); do
	if [ -f "$our/$f" ] && ! cmp -s "$our/$f" "$tree/$f"; then
		echo "series: $f differs from the tested tree" >&2
		differ=1
	fi
done
[ $differ -eq 0 ] || exit 1

# 3. format-patch and the cover letter.
rm -rf "$out"/*.patch
git_q format-patch -q --cover-letter --thread -o "$out" base..series
cover=$(ls "$out"/0000-cover-letter.patch)
python3 - "$cover" "$top/patches/cover-letter" "$top"/tools/testing/aeration/results/bench-*.md <<'EOF'
import sys
cover, blurb_path = sys.argv[1], sys.argv[2]
# The last full bench (2026-11-30) and the partial runs after it.
import re
# bench-DATE.md, or bench-DATEb.md for a second run that day (sorts after).
results = [r for r in sorted(sys.argv[3:])
           if re.search(r"bench-(\d{4}-\d{2}-\d{2})", r).group(1) >=
           "2026-11-30"]
text = open(cover).read()
blurb = open(blurb_path).read()
subject, body = blurb.split("\n", 1)
# Every goal's newest verdict: the goal tables of the results files,
# newest first, each goal taken from the newest file that has it.
seen, parts = set(), []
for path in reversed(results):
    rows, keep = [], False
    for line in open(path):
        if line.startswith("| goal |"):
            keep = True
            continue
        if keep and not line.startswith("|"):
            keep = False
        if keep and not line.startswith("| ---"):
            goal = line.split("|")[1].strip()
            if goal not in seen:
                seen.add(goal)
                rows.append(line.rstrip())
    if rows:
        parts.append("From %s:\n\n| goal | figures | verdict |\n%s" %
                     (path.split("/")[-1], "\n".join(rows)))
body = body.replace("@NUMBERS@", "\n\n".join(parts))
text = text.replace("*** SUBJECT HERE ***", subject.strip())
text = text.replace("*** BLURB HERE ***", body.strip())
open(cover, "w").write(text)
EOF
echo "  SERIES  $(ls "$out"/*.patch | wc -l) files in $out"

[ "$check" = check ] || exit 0

# 4a. checkpatch --strict, per patch file.
rc=0
cp="$tree/scripts/checkpatch.pl --strict --quiet --no-summary --show-types --ignore CAMELCASE,FILE_PATH_CHANGES"
for f in "$out"/0*.patch; do
	case $f in */0000-cover-letter.patch) continue ;; esac
	extra=
	# TRACE_EVENT() has its own layout, as in every include/trace header.
	grep -q '^+++ b/include/trace/' "$f" && extra="--ignore OPEN_ENDED_LINE,PARENTHESIS_ALIGNMENT"
	o=$(cd "$tree" && $cp $extra "$f" 2>&1) || { rc=1; printf '== %s\n%s\n' "$(basename "$f")" "$o"; }
done
[ $rc -eq 0 ] && echo "  SERIES  checkpatch --strict: clean on every patch"

# 4b. Every commit builds: sparse (C=1) on the objects the series touches.
objs="mm/page_reporting.o mm/page_hinting.o mm/page_alloc.o mm/vmstat.o mm/compaction.o
mm/page_isolation.o mm/shuffle.o drivers/virtio/virtio_balloon.o"
obj=$work/obj
norm() {
	grep -E '(warning|error):' "$1" | grep -v '^make' |
		sed -E "s|^$tree/||; s|^\.\./||; s|:[0-9]+:[0-9]+:|:|; s|:[0-9]+:|:|" | sort -u || true
}
build_at() {
	git_q checkout -q -f "$1"
	cat "$top/kconfig/guest.config" "$top/kconfig/aeration.config" "$top/kconfig/kunit.config" > "$work/frag"
	make -s -C "$tree" O="$obj" CHECK=sparse KCONFIG_ALLCONFIG="$work/frag" allnoconfig >/dev/null
	these=
	for o in $objs; do
		[ -f "$tree/${o%.o}.c" ] && these="$these $o"
	done
	make -s -j"$jobs" -C "$tree" O="$obj" CC="ccache gcc" C=1 CHECK=sparse $these > "$work/build.log" 2>&1
}
if ! build_at base; then
	echo "series: the base does not build" >&2; cat "$work/build.log" >&2; exit 1
fi
norm "$work/build.log" > "$work/base.w"
n=0
for c in $(git_q rev-list --reverse base..series); do
	n=$((n + 1))
	subj=$(git_q log -1 --format=%s "$c")
	if ! build_at "$c"; then
		rc=1; echo "series: patch $n does not build: $subj"; tail -20 "$work/build.log"
		continue
	fi
	norm "$work/build.log" | comm -23 - "$work/base.w" > "$work/new.w"
	if [ -s "$work/new.w" ]; then
		rc=1; echo "series: patch $n adds warnings: $subj"; cat "$work/new.w"
	fi
done
[ $rc -eq 0 ] && echo "  SERIES  bisect: each of $n patches builds, no new sparse warning"

# 4c. The patch files apply to the pristine base with git am.
git_q checkout -q -f base
git_q branch -q -D am-check 2>/dev/null || true
git_q checkout -q -b am-check
if git_q am -q "$out"/0[0-9][0-9][0-9]-[!c]*.patch >/dev/null 2>&1 &&
   git_q diff --quiet series am-check; then
	echo "  SERIES  git am onto the base: same tree"
else
	git_q am --abort 2>/dev/null || true
	rc=1; echo "series: the patch files do not git am onto the base to the series' tree"
fi
git_q checkout -q -f series
exit $rc
