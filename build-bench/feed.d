build-bench/feed.o: src/feed.c include/buf.h include/util.h \
 include/feed.h include/buf.h include/pages.h include/pages.h \
 include/util.h
include/buf.h:
include/util.h:
include/feed.h:
include/buf.h:
include/pages.h:
include/pages.h:
include/util.h:
