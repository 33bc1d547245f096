build-bench/mime.o: src/mime.c include/mime.h include/util.h
include/mime.h:
include/util.h:
