build-bench/pages.o: src/pages.c include/buf.h include/util.h \
 include/pages.h include/buf.h include/util.h
include/buf.h:
include/util.h:
include/pages.h:
include/buf.h:
include/util.h:
