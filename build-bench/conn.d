build-bench/conn.o: src/conn.c include/config.h include/gemtext.h \
 include/buf.h include/util.h include/conn.h include/gemini.h \
 include/proxy.h include/log.h include/tls.h include/url.h
include/config.h:
include/gemtext.h:
include/buf.h:
include/util.h:
include/conn.h:
include/gemini.h:
include/proxy.h:
include/log.h:
include/tls.h:
include/url.h:
