# Where tests/run.sh keeps the log of each test program or script it runs,
# and beside it LOG.rc, "STATUS SECONDS" once it ended. Sourced by run.sh,
# and by tests/host/sanitize.sh for the plain programs' times; from the
# project's root.
log_dir=build/test-logs
log_of() { echo "$log_dir/$(echo "$1" | tr '/ ' '__').log"; }   # log_of PATH
