build-bench/gemini.o: src/gemini.c include/buf.h include/util.h \
 include/config.h include/gemtext.h include/buf.h include/gemini.h \
 include/mime.h include/ratelimit.h include/site.h include/gemini.h \
 include/url.h
include/buf.h:
include/util.h:
include/config.h:
include/gemtext.h:
include/buf.h:
include/gemini.h:
include/mime.h:
include/ratelimit.h:
include/site.h:
include/gemini.h:
include/url.h:
