# tests/lib.sh: the prologue the shell tests share, sourced first thing
# (". "$(dirname "$0")/lib.sh""), never run on its own.
#
# Unset variables are errors; top_srcdir and top_builddir come from the
# Makefile (make check) or, run by hand, default to the directory above
# the test; the C locale and UTC, so that output does not depend on the
# machine; `prog` is the program under test and `here` the tests'
# directory.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(dirname "$here")}
top_builddir=${top_builddir:-$(dirname "$here")}
export LC_ALL=C TZ=UTC
prog=$top_builddir/tcpflow-explain
