# The host unit tests once more, under AddressSanitizer and
# UndefinedBehaviorSanitizer: a second copy of the host library and of every
# tests/host/test_*.c program in build/host-san/, compiled with SAN_CC (the
# host compiler by default; gcc's runtime comes with build-essential, clang's
# with libclang-rt-14-dev). Any report aborts the program
# (-fno-sanitize-recover=all). tests/host/sanitize.sh builds them with
# `make host-san` and runs them.

SANB      := $(BUILD)/host-san
SAN_CC    ?= $(CC)
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -O1 -g
# The host flags without their optimisation and debug level, which SAN_FLAGS sets.
SAN_CFLAGS = $(filter-out -O% -g,$(HOST_CFLAGS)) $(SAN_FLAGS)

# Deferred (=, and $$ below): fragments included after this one may still add
# to HOST_EXTRA_SRC and HOST_EXTRA_OBJ. A generated object of the host build,
# $(HOSTB)/obj/gen/X.o, becomes $(SANB)/obj/gen/X.o, built from $(KERNB)/gen/X.c.
SAN_LIB_OBJ = $(LIB_SRC:%.c=$(SANB)/obj/%.o) $(HOST_EXTRA_SRC:%.c=$(SANB)/obj/%.o) \
              $(patsubst $(HOSTB)/%,$(SANB)/%,$(HOST_EXTRA_OBJ))
SAN_TESTS := $(patsubst tests/host/%.c,$(SANB)/tests/%,$(wildcard tests/host/test_*.c))

$(SANB)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(SAN_CC) $(SAN_CFLAGS) -MMD -MP -c $< -o $@

$(SANB)/obj/gen/%.o: $(KERNB)/gen/%.c
	@mkdir -p $(dir $@)
	$(SAN_CC) $(SAN_CFLAGS) -c $< -o $@

.SECONDEXPANSION:
$(SANB)/libllama.a: $$(SAN_LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# -MMD here too: a test that #includes a .c file (test_string) is rebuilt
# when that file changes.
$(SANB)/tests/%: tests/host/%.c $(SANB)/libllama.a tests/check.h $(wildcard tests/host/*.h)
	@mkdir -p $(dir $@)
	$(SAN_CC) $(SAN_CFLAGS) -MMD -MP $< $(SANB)/libllama.a -lm -o $@

.PHONY: host-san
host-san: $(SAN_TESTS)
