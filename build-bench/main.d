build-bench/main.o: src/main.c include/buf.h include/util.h \
 include/config.h include/gemtext.h include/buf.h include/log.h \
 include/server.h include/config.h include/site.h include/gemini.h \
 include/tls.h
include/buf.h:
include/util.h:
include/config.h:
include/gemtext.h:
include/buf.h:
include/log.h:
include/server.h:
include/config.h:
include/site.h:
include/gemini.h:
include/tls.h:
