build-bench/util.o: src/util.c include/util.h
include/util.h:
