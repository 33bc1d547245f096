build-bench/url.o: src/url.c include/buf.h include/util.h include/url.h \
 include/util.h
include/buf.h:
include/util.h:
include/url.h:
include/util.h:
