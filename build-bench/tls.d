build-bench/tls.o: src/tls.c include/log.h include/util.h include/tls.h \
 include/util.h
include/log.h:
include/util.h:
include/tls.h:
include/util.h:
