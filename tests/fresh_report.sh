#!/bin/sh
# Compiler launcher for the vectoriser reports (tests/CMakeLists.txt): GCC
# appends -fopt-info output to an existing file, so a report would keep the
# loops of earlier compiles; this removes it, then runs the compile.
# Usage: fresh_report.sh REPORT COMPILER ARGS...
report=$1
shift
rm -f "$report"
exec "$@"
