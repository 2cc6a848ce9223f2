#!/bin/sh
# make fuzz: runs each libFuzzer target for FUZZ_SECONDS on its seed corpus
# (fuzz/corpus/TARGET, read only) with ASan, UBSan and leak detection. New
# inputs go to build/fuzz/TARGET/new and are kept for the next run. A crash,
# hang (-timeout) or leak stops the target and leaves the reproducer as
# build/fuzz/TARGET/crash-*, leak-* or timeout-*; the script then fails.
#   sh scripts/fuzz.sh SECONDS TARGET...
set -u
secs=$1; shift
fail=0
for t in "$@"; do
	dir=build/fuzz/$t
	mkdir -p "$dir/new"
	dict=""
	[ -f "fuzz/$t.dict" ] && dict="-dict=fuzz/$t.dict"
	echo "fuzz: $t for $secs s"
	# -close_fd_mask=2 silences peekl's error messages; libFuzzer and
	# the sanitizers still report on their own copy of stderr.
	ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	"build/fuzz/fuzz-$t" -max_total_time="$secs" -timeout=10 \
	    -rss_limit_mb=2048 -max_len=8192 -close_fd_mask=2 \
	    -artifact_prefix="$dir/" $dict "$dir/new" "fuzz/corpus/$t" \
	    > "$dir/log" 2>&1
	rc=$?
	# The last status line: executions, coverage, corpus size.
	grep -E '^#[0-9]+' "$dir/log" | tail -n 1
	if [ $rc -ne 0 ]; then
		echo "fuzz: $t FAILED (exit $rc), see $dir/log:"
		grep -E 'ERROR|SUMMARY|Test unit written' "$dir/log" | head -n 5
		fail=1
	fi
done
exit $fail
