#!/bin/sh
# Refuses doctest case names that ctest cannot run. doctest_discover_tests
# turns the list of cases into a CMake list, which splits a name at ';': the
# two halves became two ctest tests whose filters matched no case, and both
# passed without running anything (five cases, found 2026-11-30).
# Usage: check_case_names.sh TEST_BINARY
list=$("$1" --list-test-cases --no-version) || { echo "could not list the test cases of $1"; exit 2; }
bad=$(printf '%s\n' "$list" | grep -F ';')
if [ -n "$bad" ]; then
  echo "test case names holding ';' (ctest would run none of them):"
  printf '%s\n' "$bad"
  exit 1
fi
echo "$(printf '%s\n' "$list" | grep -c .) lines of case names, none with ';'"
