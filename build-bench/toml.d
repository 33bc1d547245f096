build-bench/toml.o: src/toml.c include/buf.h include/util.h \
 include/toml.h
include/buf.h:
include/util.h:
include/toml.h:
