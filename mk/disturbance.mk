# How make bench tells a disturbed measurement (tools/lib/disturbance.c,
# tested by tests/host/test_disturbance.c) goes into the host library.
HOST_EXTRA_SRC += tools/lib/disturbance.c
