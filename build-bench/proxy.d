build-bench/proxy.o: src/proxy.c include/proxy.h
include/proxy.h:
