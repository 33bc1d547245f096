build-bench/ratelimit.o: src/ratelimit.c include/ratelimit.h
include/ratelimit.h:
