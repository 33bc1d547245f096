build-bench/buf.o: src/buf.c include/buf.h include/util.h
include/buf.h:
include/util.h:
