# shellcheck shell=sh
# tap.sh - the TAP lines of the shell tests (tests/lib/tap.h is the C
# producer, tests/lib/tap.py the Python one). Source it:
#
#   . "$(dirname "$0")/../lib/tap.sh"
#
#   ok WHAT                  ok N - WHAT
#   fail WHAT [OUTPUT]       not ok N - WHAT, then OUTPUT's last 20 lines as "# ..."
#   check WHAT STATUS [OUTPUT]   ok if STATUS is 0, else fail
#   tap_done                 the plan "1..N" and "# P passed, F failed"; its
#                            status is 1 if anything failed: end with
#                            `tap_done; exit $?` (or `exit $((tap_failed > 0))`)
#
# scripts/check.py reads the ok lines. Counters: $tap_n, $tap_failed.
tap_n=0
tap_failed=0

ok() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1"
}

fail() {
	tap_n=$((tap_n + 1))
	tap_failed=$((tap_failed + 1))
	echo "not ok $tap_n - $1"
	[ -n "${2:-}" ] && printf '%s\n' "$2" | tail -20 | sed 's/^/# /'
	return 0
}

check() {
	if [ "$2" -eq 0 ]; then ok "$1"; else fail "$1" "${3:-}"; fi
}

tap_done() {
	echo "1..$tap_n"
	echo "# $((tap_n - tap_failed)) passed, $tap_failed failed"
	[ "$tap_failed" -eq 0 ]
}
