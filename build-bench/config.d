build-bench/config.o: src/config.c include/buf.h include/util.h \
 include/config.h include/gemtext.h include/buf.h include/toml.h
include/buf.h:
include/util.h:
include/config.h:
include/gemtext.h:
include/buf.h:
include/toml.h:
