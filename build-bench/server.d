build-bench/server.o: src/server.c include/conn.h include/gemini.h \
 include/buf.h include/util.h include/log.h include/mime.h \
 include/ratelimit.h include/server.h include/config.h include/gemtext.h \
 include/site.h include/tls.h
include/conn.h:
include/gemini.h:
include/buf.h:
include/util.h:
include/log.h:
include/mime.h:
include/ratelimit.h:
include/server.h:
include/config.h:
include/gemtext.h:
include/site.h:
include/tls.h:
