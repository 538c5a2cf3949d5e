# The keyboard's scan code decoder and the line editor touch no hardware:
# the host build carries them too (tests/host/test_input.c).
HOST_EXTRA_SRC += drivers/keymap.c kernel/lineedit.c
