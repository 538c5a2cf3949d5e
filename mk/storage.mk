# Disks and models from disks. kernel/model_kind.c (what a model file is,
# from its header, through the engine's parsers) and kernel/memory.c (the
# allocator's pieces for a model in scattered RAM) touch no hardware: the
# host library carries them too, for tests/host/test_model_kind.c and
# tests/host/test_memory.c.
HOST_EXTRA_SRC += kernel/model_kind.c kernel/memory.c
